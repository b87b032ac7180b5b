package dev.sessionops.claude.kubectl;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl claude}: runs and reads Claude conversations on a cluster with the operator. Plain picocli and
 * Fabric8, no Quarkus, so a call starts in about a second. Sessions, messages and their status come from the
 * Kubernetes API; history and live events from the operator's API, which the API server serves under
 * {@code /apis/api.claude.sessionops.dev/v1alpha1} ({@link OperatorApi}): one kubeconfig, any auth, no token ever sent
 * to the operator.
 */
@Command(name = "kubectl claude", mixinStandardHelpOptions = true, versionProvider = Version.class, scope = ScopeType.INHERIT,
        description = "Run and read Claude Code conversations (ClaudeSessions and ClaudeMessages) on Kubernetes.",
        subcommands = {RunCommand.class, SessionCommand.class, LogsCommand.class, WaitCommand.class, CancelCommand.class,
                VersionCommand.class},
        footer = {"", "Exit codes: 0 success; 1 the message failed or was cancelled, or an error; 2 wait timed out or bad arguments."})
public final class KubectlClaude implements Callable<Integer> {

    // Global options: like kubectl's, accepted before or after the subcommand.
    @Option(names = "--kubeconfig", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
    Path kubeconfig;
    @Option(names = "--context", scope = ScopeType.INHERIT, description = "The kubeconfig context to use.")
    String context;
    @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT,
            description = "Namespace (default: the context's namespace, else default).")
    String namespace;
    @Spec
    CommandSpec spec;

    private final Environment env;

    public KubectlClaude(Environment env) {
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(commandLine(Environment.system()).execute(args));
    }

    /** The configured command line: also what tests run in-process (with their own out and err writers). */
    public static CommandLine commandLine(Environment env) {
        CommandLine cmd = new CommandLine(new KubectlClaude(env));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        String debug = env.getenv().apply(ErrorReporter.DEBUG_ENV);
        cmd.setExecutionExceptionHandler(new ErrorReporter(debug != null && !debug.isBlank()));
        return cmd;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    Environment env() {
        return env;
    }

    /** A connection with these options; the caller closes it. */
    Kube connect() {
        return Kube.connect(kubeconfig, context, namespace);
    }
}
