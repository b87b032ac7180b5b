package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class ArgumentsTest {
    private static final Environment ENV = Environment.withEnv(k -> null);

    private static ParseResult parse(String... args) {
        return KubectlClaude.commandLine(ENV).parseArgs(args);
    }

    private static KubectlClaude root(ParseResult r) {
        return (KubectlClaude) r.commandSpec().userObject();
    }

    private static Object leaf(ParseResult r) {
        while (r.subcommand() != null) {
            r = r.subcommand();
        }
        return r.commandSpec().userObject();
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheSubcommand() {
        ParseResult after = parse("session", "list", "-n", "team-a", "--context", "kind", "--kubeconfig", "/tmp/kc");
        assertEquals("team-a", root(after).namespace);
        assertEquals("kind", root(after).context);
        assertEquals(Path.of("/tmp/kc"), root(after).kubeconfig);
        ParseResult before = parse("--namespace=team-b", "logs", "m1", "-f");
        assertEquals("team-b", root(before).namespace);
        assertTrue(((LogsCommand) leaf(before)).follow);
    }

    @Test
    void runTakesAPromptSessionDataModelFollowAndName() {
        RunCommand run = (RunCommand) leaf(parse("run", "Fix {what} in {where}", "--session", "chat", "--data", "what=bug",
                "--data", "where=api", "--model", "sonnet", "--follow", "--name", "chat-fix"));
        assertEquals("Fix {what} in {where}", run.prompt);
        assertEquals("chat", run.session.existing);
        assertNull(run.session.created);
        assertEquals(Map.of("what", "bug", "where", "api"), run.data);
        assertEquals("sonnet", run.model);
        assertTrue(run.follow);
        assertEquals("chat-fix", run.name);

        RunCommand file = (RunCommand) leaf(parse("run", "-f", "prompt.md", "--new-session", "fresh", "-o", "YAML"));
        assertEquals(Path.of("prompt.md"), file.file);
        assertEquals("fresh", file.session.created);
        assertEquals(OutputFormat.yaml, file.output);
    }

    @Test
    void usageErrorsExitTwoWithoutTouchingACluster() {
        Cli.Result both = Cli.run(ENV, "run", "hi", "--session", "a", "--new-session", "b");
        assertEquals(CommandLine.ExitCode.USAGE, both.exitCode(), both.toString());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        Cli.Result format = Cli.run(ENV, "session", "list", "-o", "xml");
        assertEquals(2, format.exitCode(), format.toString());
        assertTrue(format.err().contains("json, yaml"), format.err());
        assertEquals(2, Cli.run(ENV, "wait").exitCode());
    }

    @Test
    void badValuesAreReportedAsOneErrorLine() {
        Cli.Result noPrompt = Cli.run(ENV, "run", "--session", "chat");
        assertEquals(ExitCodes.FAILED, noPrompt.exitCode());
        assertEquals("error: give the prompt either as an argument or with -f FILE\n", noPrompt.err());
        Cli.Result secret = Cli.run(ENV, "run", "hi", "--session", "chat", "--secret", "s");
        assertEquals("error: --secret applies only with --new-session\n", secret.err());
        Cli.Result timeout = Cli.run(ENV, "wait", "m", "--timeout", "soon");
        assertEquals(ExitCodes.FAILED, timeout.exitCode());
        assertTrue(timeout.err().startsWith("error: --timeout: invalid duration \"soon\""), timeout.err());
        Cli.Result missingFile = Cli.run(ENV, "run", "-f", "/nonexistent/prompt.md");
        assertTrue(missingFile.err().startsWith("error: cannot read prompt file /nonexistent/prompt.md"), missingFile.err());
    }

    @Test
    void helpAndVersionNeedNoCluster() {
        Cli.Result help = Cli.run(ENV, "--help");
        assertEquals(0, help.exitCode());
        for (String command : new String[] {"run", "session", "logs", "wait", "version"}) {
            assertTrue(help.out().contains("\n  " + command + " "), command + " missing from\n" + help.out());
        }
        Cli.Result sessionHelp = Cli.run(ENV, "session", "--help");
        for (String command : new String[] {"list", "show", "history", "remove", "export"}) {
            assertTrue(sessionHelp.out().contains("  " + command), command + " missing from\n" + sessionHelp.out());
        }
        Cli.Result version = Cli.run(ENV, "version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("kubectl-claude "), version.out());
        assertTrue(version.out().contains("startup: "), version.out());
    }

    @Test
    void namespaceComesFromTheFlagThenTheContextThenDefault() throws Exception {
        Path kubeconfig = java.nio.file.Files.createTempFile("kubeconfig", ".yaml");
        java.nio.file.Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster: {server: "https://127.0.0.1:1"}
                users:
                - name: u
                  user: {token: not-a-real-token}
                contexts:
                - name: with-ns
                  context: {cluster: c, user: u, namespace: team-ctx}
                - name: without-ns
                  context: {cluster: c, user: u}
                current-context: with-ns
                """);
        try {
            var config = Kube.loadConfig(kubeconfig, null);
            assertEquals("team-ctx", Kube.namespace(null, config));
            assertEquals("team-flag", Kube.namespace("team-flag", config));
            assertEquals("default", Kube.namespace(null, Kube.loadConfig(kubeconfig, "without-ns")));
            assertTrue(Credentials.hasCredentials(config));
        } finally {
            java.nio.file.Files.delete(kubeconfig);
        }
    }
}
