package dev.sessionops.claude.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps {@link RunOptions} to the exec array of one non-interactive CLI run:
 * {@code claude -p --output-format=stream-json --verbose [--resume=<id>] [options…] -- <prompt>}.
 *
 * <p>Checked against the real CLI 2.1.330: every valued option uses the {@code --flag=value} form, so a value
 * that starts with {@code -} stays a value and a variadic option ({@code --allowedTools}, {@code --add-dir},
 * {@code --mcp-config}) takes exactly that one value instead of swallowing the following arguments; list
 * entries repeat the flag, one entry each (an entry with spaces such as {@code Bash(npm run test:*)} stays one
 * rule). The prompt comes last, after {@code --}, so it is never read as an option (e.g. {@code --help me}) or a
 * subcommand name (e.g. {@code mcp}).
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
     * CLI's. A fixed script: the argv arrives as positional parameters, nothing is spliced into it.
     */
    static final String INTERRUPTIBLE = "trap 'trap \"\" TERM INT; kill -INT \"$pid\" 2>/dev/null' TERM INT; \"$@\" & pid=$!; "
            + "wait \"$pid\"; s=$?; while kill -0 \"$pid\" 2>/dev/null; do wait \"$pid\"; s=$?; done; exit \"$s\"";
    static final String SHELL = "/bin/sh";

    private ClaudeCommand() {
    }

    public static List<String> argv(RunOptions o) {
        if (o.prompt().isBlank()) {
            throw new IllegalArgumentException("prompt must not be blank");
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
        argv.add("--");
        argv.add(o.prompt());
        return List.copyOf(argv);
    }

    /** {@code argv} run by the {@link #INTERRUPTIBLE} shell: the container's command. */
    public static List<String> interruptible(List<String> argv) {
        List<String> command = new ArrayList<>(List.of(SHELL, "-c", INTERRUPTIBLE, EXECUTABLE));
        command.addAll(argv);
        return List.copyOf(command);
    }

    /** The CLI's argv of a container command made by {@link #interruptible} (a command without the shell: itself). */
    public static List<String> unwrap(List<String> command) {
        boolean wrapped = command.size() > 4 && SHELL.equals(command.get(0)) && INTERRUPTIBLE.equals(command.get(2));
        return wrapped ? command.subList(4, command.size()) : command;
    }

    /**
     * The prompt of an exec array made by {@link #argv}: everything after the {@code --} that ends the options.
     * The Job's command is the record of what ran, so the history takes the prompt from there.
     */
    public static String promptOf(List<String> argv) {
        int separator = argv.indexOf("--");
        if (separator < 0 || separator != argv.size() - 2) {
            throw new IllegalArgumentException("not a claude exec array made by ClaudeCommand: no '-- <prompt>' at the end");
        }
        return argv.get(separator + 1);
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
