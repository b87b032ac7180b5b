package dev.sessionops.claude.kubectl;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
        description = "Run and read Claude Code conversations (ClaudeSessions and ClaudeMessages) on Kubernetes.")
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
    /** The API server of the last connection, for error messages. */
    private volatile String server;

    public KubectlClaude(Environment env) {
        this.env = env;
    }

    /** The subcommands, in the order {@code --help} lists them. */
    private static final Map<String, Supplier<ClaudeSubcommand>> SUBCOMMANDS = subcommands();
    /** The root's options that take a value as the next argument (to find the subcommand among the arguments). */
    private static final Set<String> VALUE_OPTIONS = Set.of("--kubeconfig", "--context", "-n", "--namespace");

    private static Map<String, Supplier<ClaudeSubcommand>> subcommands() {
        Map<String, Supplier<ClaudeSubcommand>> m = new LinkedHashMap<>();
        m.put("run", RunCommand::new);
        m.put("session", SessionCommand::new);
        m.put("logs", LogsCommand::new);
        m.put("wait", WaitCommand::new);
        m.put("cancel", CancelCommand::new);
        m.put("version", VersionCommand::new);
        m.put("warm-up", WarmUpCommand::new);
        return m;
    }

    public static void main(String[] args) {
        System.exit(commandLine(Environment.system(), args).execute(args));
    }

    /** The configured command line with every subcommand: also what tests run in-process (with their own writers). */
    public static CommandLine commandLine(Environment env) {
        return commandLine(env, SUBCOMMANDS.keySet());
    }

    /**
     * The command line for these arguments: with only the subcommand they name, when they name one. Picocli builds
     * the model of every command it is given from annotations at each start; a CLI call needs one.
     */
    static CommandLine commandLine(Environment env, String[] args) {
        String named = subcommandOf(args);
        return commandLine(env, SUBCOMMANDS.containsKey(named) ? Set.of(named) : SUBCOMMANDS.keySet());
    }

    /** The first argument that is neither an option nor an option's value: the subcommand's name, or null. */
    static String subcommandOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (VALUE_OPTIONS.contains(args[i])) {
                i++;
            } else if (!args[i].startsWith("-")) {
                return args[i];
            }
        }
        return null;
    }

    private static CommandLine commandLine(Environment env, Set<String> names) {
        KubectlClaude root = new KubectlClaude(env);
        CommandLine cmd = new CommandLine(root);
        SUBCOMMANDS.forEach((name, make) -> {
            if (names.contains(name)) {
                cmd.addSubcommand(name, make.get());
            }
        });
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        String debug = env.getenv().apply(ErrorReporter.DEBUG_ENV);
        ErrorReporter errors = new ErrorReporter(debug != null && !debug.isBlank(), () -> root.server);
        cmd.setExecutionExceptionHandler(errors);
        cmd.setParameterExceptionHandler(errors);
        withExitCodes(cmd);
        return cmd;
    }

    /** The one exit-code table in every command's --help. */
    private static void withExitCodes(CommandLine cmd) {
        Map<String, String> table = new LinkedHashMap<>();
        for (String line : ExitCodes.HELP) {
            int colon = line.indexOf(':');
            table.put("  " + line.substring(0, colon), line.substring(colon + 1));
        }
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(table);
        cmd.getSubcommands().values().forEach(KubectlClaude::withExitCodes);
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
        Kube kube = Kube.connect(kubeconfig, context, namespace);
        server = kube.config().getMasterUrl();
        return kube;
    }
}
