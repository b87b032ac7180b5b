package dev.sessionops.claude.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maps {@link RunOptions} to the exec array of one non-interactive CLI run:
 * {@code claude -p --output-format=stream-json --verbose [--resume=<id>] [options…]}. The prompt is not in it: the
 * container's shell ({@link #INTERRUPTIBLE}) gives the CLI the prompt file the operator mounts as its standard input,
 * so the prompt is never in argv ({@code ps}, the Job's command) nor bound by the 128 KiB Linux allows one argument.
 *
 * <p>Measured with the real CLI 2.1.330 ({@code FakeAnthropicApiCliTest}): {@code claude -p} without a prompt
 * argument reads its standard input to the end and takes it, byte for byte, as the prompt (untrimmed; 508 KiB
 * included); an empty input is an error ("Input must be provided either through stdin or as a prompt argument").
 *
 * <p>Checked against the real CLI 2.1.330: every valued option uses the {@code --flag=value} form, so a value
 * that starts with {@code -} stays a value and a variadic option ({@code --allowedTools}, {@code --add-dir},
 * {@code --mcp-config}) takes exactly that one value instead of swallowing the following arguments; list
 * entries repeat the flag, one entry each (an entry with spaces such as {@code Bash(npm run test:*)} stays one
 * rule). No positional argument follows the options, so no user text can be read as an option or a subcommand.
 */
public final class ClaudeCommand {

    /** Resolved through the container's PATH. */
    public static final String EXECUTABLE = "claude";

    /**
     * The container's main process, a shell that runs the CLI and turns the SIGTERM that stops a pod (a cancel, a
     * deadline, a drain) into SIGINT for it: measured with the real CLI 2.1.330, SIGINT ends the run gracefully (exit
     * 0, its transcript written, a {@code result} with the run's cost when a tool was interrupted), SIGTERM kills it
     * at once (exit 143, no result). One SIGINT only: a second one aborts the turn the first let the CLI finish, so
     * the trap ignores what follows (SIGKILL after the grace period still ends everything). The exit status is the
     * CLI's. The first positional parameter is the prompt file, the CLI's standard input (given explicitly: a
     * background command's input is {@code /dev/null} otherwise); the rest is the CLI's argv. A fixed script: the
     * values arrive as positional parameters, nothing is spliced into it.
     */
    static final String INTERRUPTIBLE = "p=$1; shift; "
            + "trap 'trap \"\" TERM INT; kill -INT \"$pid\" 2>/dev/null' TERM INT; \"$@\" <\"$p\" & pid=$!; "
            + "wait \"$pid\"; s=$?; while kill -0 \"$pid\" 2>/dev/null; do wait \"$pid\"; s=$?; done; exit \"$s\"";
    static final String SHELL = "/bin/sh";

    private ClaudeCommand() {
    }

    /** The CLI's argv for {@code o}; its prompt goes to the CLI's standard input ({@link #interruptible}). */
    public static List<String> argv(RunOptions o) {
        if (o.prompt().isBlank()) {
            throw new IllegalArgumentException("prompt must not be blank"); // the CLI refuses an empty input
        }
        List<String> argv = new ArrayList<>(List.of(EXECUTABLE, "-p", "--output-format=stream-json", "--verbose"));
        option(argv, "--resume", o.resumeSessionId());
        if (o.resumeSessionId() != null && !o.resumeSessionId().isBlank()) {
            // not in --help, but pinned by a test against the real CLI (FakeAnthropicApiCliTest)
            option(argv, "--resume-session-at", o.resumeAt());
        }
        option(argv, "--model", o.model());
        option(argv, "--fallback-model", o.fallbackModel());
        option(argv, "--effort", o.effort());
        option(argv, "--system-prompt", o.systemPrompt());
        option(argv, "--append-system-prompt", o.appendSystemPrompt());
        each(argv, "--allowedTools", o.allowedTools());
        each(argv, "--disallowedTools", o.disallowedTools());
        option(argv, "--permission-mode", o.permissionMode());
        option(argv, "--max-turns", o.maxTurns() == null ? null : o.maxTurns().toString());
        option(argv, "--max-budget-usd", o.maxBudgetUsd() == null ? null : decimal(o.maxBudgetUsd()));
        option(argv, "--mcp-config", o.mcpConfigPath());
        each(argv, "--add-dir", o.addDirs());
        // only the settings the platform allows (none by default: a cloned repository's .claude/ settings and hooks,
        // or hooks an earlier turn planted on the state volume, never load; managed settings still apply), and only
        // the session's MCP servers (a repository's .mcp.json does not start any)
        argv.add("--setting-sources=" + (o.settingSources() == null ? "" : String.join(",", o.settingSources())));
        argv.add("--strict-mcp-config");
        return List.copyOf(argv);
    }

    /**
     * {@code argv} run by the {@link #INTERRUPTIBLE} shell with {@code promptFile} as its standard input: the
     * container's command.
     */
    public static List<String> interruptible(String promptFile, List<String> argv) {
        List<String> command = new ArrayList<>(List.of(SHELL, "-c", INTERRUPTIBLE, EXECUTABLE, promptFile));
        command.addAll(argv);
        return List.copyOf(command);
    }

    /** The CLI's argv of a container command made by {@link #interruptible} (a command without the shell: itself). */
    public static List<String> unwrap(List<String> command) {
        boolean wrapped = command.size() > 5 && SHELL.equals(command.get(0)) && INTERRUPTIBLE.equals(command.get(2));
        return wrapped ? command.subList(5, command.size()) : command;
    }

    /**
     * The prompt of a Job made before prompts went by file (an upgrade with a run under way): the last argument,
     * after the {@code --} that ended the options; empty for anything else.
     */
    public static Optional<String> promptInArgv(List<String> command) {
        int separator = command.lastIndexOf("--");
        return separator >= 0 && separator == command.size() - 2 ? Optional.of(command.get(separator + 1))
                : Optional.empty();
    }

    /** Plain decimal notation whatever the default locale: {@code 0.0001}, never {@code 1.0E-4} or {@code 0,5}. */
    static String decimal(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static void option(List<String> argv, String flag, String value) {
        if (value != null && !value.isBlank()) {
            argv.add(flag + "=" + value);
        }
    }

    private static void each(List<String> argv, String flag, List<String> values) {
        if (values != null) {
            values.forEach(v -> option(argv, flag, v));
        }
    }
}
