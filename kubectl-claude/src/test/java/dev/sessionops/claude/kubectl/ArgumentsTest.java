package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;

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
        assertEquals("sonnet", run.runFlags.model);
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
        // one line, not the whole usage
        Cli.Result unknown = Cli.run(ENV, "session", "list", "--colour");
        assertEquals("error: Unknown option: '--colour' (see 'kubectl claude session list --help')\n", unknown.err());
        Cli.Result notANumber = Cli.run(ENV, "run", "hi", "--max-turns", "many");
        assertEquals(ExitCodes.USAGE, notANumber.exitCode());
        assertEquals(1, notANumber.err().lines().count(), notANumber.err());
    }

    @Test
    void badValuesAreReportedAsOneErrorLine() {
        Cli.Result noPrompt = Cli.run(ENV, "run", "--session", "chat");
        assertEquals(ExitCodes.USAGE, noPrompt.exitCode());
        assertEquals("error: give the prompt either as an argument or with -f FILE\n", noPrompt.err());
        Cli.Result secret = Cli.run(ENV, "run", "hi", "--session", "chat", "--secret", "s");
        assertEquals("error: --secret applies only with --new-session\n", secret.err());
        Cli.Result timeout = Cli.run(ENV, "wait", "m", "--timeout", "soon");
        assertEquals(ExitCodes.USAGE, timeout.exitCode());
        assertTrue(timeout.err().startsWith("error: --timeout: invalid duration \"soon\""), timeout.err());
        Cli.Result missingFile = Cli.run(ENV, "run", "-f", "/nonexistent/prompt.md");
        assertTrue(missingFile.err().startsWith("error: cannot read prompt file /nonexistent/prompt.md"), missingFile.err());
    }

    @Test
    void everyPerRunOptionOfTheCrdIsARunFlag() {
        RunCommand run = (RunCommand) leaf(parse("run", "hi", "--permission-mode", "acceptEdits",
                "--allowed-tools", "Edit,Bash(git log:*)", "--allowed-tools", "Read", "--disallowed-tools", "WebFetch",
                "--max-turns", "3", "--max-budget-usd", "0.5", "--system-prompt", "Be brief.",
                "--append-system-prompt", "Use British spelling.", "--effort", "high", "--timeout", "1h30m",
                "--fallback-model", "haiku", "--model", "sonnet"));
        ClaudeMessageSpec spec = new ClaudeMessageSpec();
        run.runFlags.applyTo(spec);
        assertEquals("acceptEdits", spec.getPermissionMode());
        assertEquals(List.of("Edit", "Bash(git log:*)", "Read"), spec.getAllowedTools());
        assertEquals(List.of("WebFetch"), spec.getDisallowedTools());
        assertEquals(3, spec.getMaxTurns());
        assertEquals(0.5, spec.getMaxBudgetUsd());
        assertEquals("Be brief.", spec.getSystemPrompt());
        assertEquals("Use British spelling.", spec.getAppendSystemPrompt());
        assertEquals("high", spec.getEffort());
        assertEquals("1h30m", spec.getTimeout());
        assertEquals("haiku", spec.getFallbackModel());
        assertEquals("sonnet", spec.getModel());

        ClaudeMessageSpec none = new ClaudeMessageSpec();
        ((RunCommand) leaf(parse("run", "hi"))).runFlags.applyTo(none);
        assertNull(none.getPermissionMode());
        assertNull(none.getAllowedTools());
        assertNull(none.getTimeout());
    }

    @Test
    void badRunFlagsAreRefusedBeforeAnythingIsCreated() {
        // no kubeconfig is read: the values are checked first (a cluster would be unreachable here anyway)
        String[][] cases = {
                {"--permission-mode", "yolo", "error: --permission-mode \"yolo\" is not one of acceptEdits, auto, "
                        + "bypassPermissions, manual, dontAsk, plan"},
                {"--effort", "huge", "error: --effort \"huge\" is not one of low, medium, high, xhigh, max"},
                {"--max-turns", "0", "error: --max-turns must be at least 1, got 0"},
                {"--max-budget-usd", "-1", "error: --max-budget-usd must be a number greater than 0, got -1.0"},
                {"--timeout", "soon", "error: --timeout: invalid duration \"soon\": expected numbers with units ms, s, m "
                        + "or h, such as 90s, 30m or 1h30m"},
                {"--allowed-tools", "Edit,,Read", "error: --allowed-tools has an empty tool name"},
        };
        for (String[] c : cases) {
            Cli.Result r = Cli.run(ENV, "--kubeconfig", "/nonexistent/kubeconfig", "run", "hi", "--new-session", "s",
                    c[0], c[1]);
            assertEquals(ExitCodes.USAGE, r.exitCode(), r.toString());
            assertEquals(c[2] + "\n", r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void aCallBuildsOnlyTheSubcommandItNames() {
        assertEquals("session", KubectlClaude.subcommandOf(new String[] {"--kubeconfig", "kc", "-n", "team", "session", "list"}));
        assertEquals("logs", KubectlClaude.subcommandOf(new String[] {"--context=kind", "logs", "m"}));
        assertNull(KubectlClaude.subcommandOf(new String[] {"--help"}));
        assertEquals(List.of("session"), List.copyOf(KubectlClaude.commandLine(ENV, new String[] {"session", "list"})
                .getSubcommands().keySet()));
        // anything else (a typo, --help) gets them all, for picocli's suggestions and the full usage
        assertEquals(7, KubectlClaude.commandLine(ENV, new String[] {"sesion", "list"}).getSubcommands().size());
        ParseResult r = KubectlClaude.commandLine(ENV, new String[] {"-n", "a", "session", "list", "--context", "k"})
                .parseArgs("-n", "a", "session", "list", "--context", "k");
        assertEquals("a", root(r).namespace);
        assertEquals("k", root(r).context);
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
        // the one exit-code table, in every command's help
        for (String[] command : new String[][] {{"--help"}, {"run", "--help"}, {"wait", "--help"}, {"session", "list", "--help"}}) {
            String text = Cli.run(ENV, command).out();
            assertTrue(text.contains("\nExit codes:\n"), text);
            for (String line : ExitCodes.HELP) {
                assertTrue(text.lines().anyMatch(l -> l.matches("\\s+" + line.substring(0, 1) + "\\s+" 
                        + java.util.regex.Pattern.quote(line.substring(2)))), line + " missing from\n" + text);
            }
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
