package dev.sessionops.claude.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ClaudeCommandTest {

    private static final List<String> BASE = List.of("claude", "-p", "--output-format=stream-json", "--verbose");

    @Test
    void minimalRunHasNoPromptInItsArgv() {
        assertEquals(argv(), ClaudeCommand.argv(RunOptions.builder("Create a REST API").build()));
    }

    @Test
    void everyOptionMapsToItsFlagInOrder() {
        RunOptions options = RunOptions.builder("Do it")
                .resumeSessionId("6026f4ae-4dd3-40b5-bb5f-41ad82931e9d")
                .model("sonnet")
                .fallbackModel("haiku")
                .effort("high")
                .systemPrompt("You are terse.")
                .appendSystemPrompt("Answer in English.")
                .allowedTools(List.of("Read", "Edit"))
                .disallowedTools(List.of("WebSearch"))
                .permissionMode("acceptEdits")
                .maxTurns(7)
                .maxBudgetUsd(2.5)
                .mcpConfigPath("/etc/claude-session/mcp/mcp.json")
                .addDirs(List.of("/data", "/shared"))
                .build();

        assertEquals(argv(
                "--resume=6026f4ae-4dd3-40b5-bb5f-41ad82931e9d",
                "--model=sonnet",
                "--fallback-model=haiku",
                "--effort=high",
                "--system-prompt=You are terse.",
                "--append-system-prompt=Answer in English.",
                "--allowedTools=Read",
                "--allowedTools=Edit",
                "--disallowedTools=WebSearch",
                "--permission-mode=acceptEdits",
                "--max-turns=7",
                "--max-budget-usd=2.5",
                "--mcp-config=/etc/claude-session/mcp/mcp.json",
                "--add-dir=/data",
                "--add-dir=/shared"), ClaudeCommand.argv(options));
    }

    @Test
    void resumeLeavesThePromptToStdinToo() {
        List<String> argv = ClaudeCommand.argv(RunOptions.builder("Next step").resumeSessionId("abc").build());
        assertEquals(argv("--resume=abc"), argv);
    }

    @Test
    void resumingAtAnEventNamesItOnlyWhenResuming() {
        assertEquals(argv("--resume=abc", "--resume-session-at=u-1"),
                ClaudeCommand.argv(RunOptions.builder("Next").resumeSessionId("abc").resumeAt("u-1").build()));
        // without a session to resume there is nothing to resume at
        assertEquals(argv(), ClaudeCommand.argv(RunOptions.builder("Next").resumeAt("u-1").build()));
    }

    @Test
    void thePromptIsNeverAnArgumentWhateverItLooksLike() {
        for (String prompt : List.of("--help me -p", "mcp", "x".repeat(200_000), "$(ANTHROPIC_API_KEY)")) {
            List<String> argv = ClaudeCommand.argv(RunOptions.builder(prompt).build());
            assertEquals(argv(), argv);
            assertFalse(ClaudeCommand.interruptible("/p", argv).contains(prompt));
        }
    }

    /** The container's command: the fixed shell script, the prompt file as its first parameter, then the CLI's argv. */
    @Test
    void theShellGetsThePromptFileAndTheArgvAsParameters() {
        List<String> argv = ClaudeCommand.argv(RunOptions.builder("Hi").model("sonnet").build());
        List<String> command = ClaudeCommand.interruptible("/etc/claude-session/prompt/prompt", argv);
        assertEquals(List.of("/bin/sh", "-c", ClaudeCommand.INTERRUPTIBLE, "claude", "/etc/claude-session/prompt/prompt"),
                command.subList(0, 5));
        assertEquals(argv, command.subList(5, command.size()));
        assertEquals(argv, ClaudeCommand.unwrap(command));
        assertEquals(argv, ClaudeCommand.unwrap(argv), "a bare argv is itself");
        assertTrue(ClaudeCommand.INTERRUPTIBLE.contains("\"$@\" <\"$p\" &"), "stdin from the prompt file, explicitly");
    }

    /** A Job made before prompts went by file ends its command with {@code -- <prompt>}; the history reads it there. */
    @Test
    void aPromptInTheArgvOfAnOlderJobIsFoundAfterTheSeparator() {
        assertEquals(Optional.of("--help me"), ClaudeCommand.promptInArgv(List.of("/bin/sh", "-c", "old script", "claude",
                "claude", "-p", "--verbose", "--", "--help me")));
        assertEquals(Optional.empty(), ClaudeCommand.promptInArgv(ClaudeCommand.argv(RunOptions.builder("x").build())));
        assertEquals(Optional.empty(), ClaudeCommand.promptInArgv(List.of("claude", "--", "a", "b")));
    }

    @Test
    void valuesStartingWithDashesAreAttachedToTheirFlag() {
        List<String> argv = ClaudeCommand.argv(RunOptions.builder("x").systemPrompt("--be terse").model("-m").build());
        assertEquals(argv("--model=-m", "--system-prompt=--be terse"), argv);
    }

    @Test
    void toolRulesWithSpacesAndParenthesesAreOneArgumentEach() {
        List<String> argv = ClaudeCommand.argv(RunOptions.builder("x")
                .allowedTools(List.of("Bash(npm run test:*)", "Read"))
                .disallowedTools(List.of("Bash(git push:*)", "Write(/etc/**)"))
                .build());
        assertEquals(argv(
                "--allowedTools=Bash(npm run test:*)", "--allowedTools=Read",
                "--disallowedTools=Bash(git push:*)", "--disallowedTools=Write(/etc/**)"), argv);
    }

    @Test
    void nullsBlanksAndEmptyListsAreLeftOut() {
        RunOptions options = RunOptions.builder("x").model(" ").resumeSessionId("").allowedTools(List.of())
                .disallowedTools(Arrays.asList("", null, "Write")).addDirs(null).build();
        assertEquals(argv("--disallowedTools=Write"), ClaudeCommand.argv(options));
    }

    @Test
    void budgetIsPlainDecimalInAnyLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertEquals("--max-budget-usd=0.5", budgetFlag(0.5));
            assertEquals("--max-budget-usd=0.0001", budgetFlag(0.0001));
            assertEquals("--max-budget-usd=10", budgetFlag(10.0));
            assertEquals("--max-budget-usd=1234567.25", budgetFlag(1234567.25));
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void rejectsBlankPromptAndNonFiniteBudget() {
        assertThrows(NullPointerException.class, () -> RunOptions.builder(null).build());
        assertThrows(IllegalArgumentException.class, () -> ClaudeCommand.argv(RunOptions.builder(" \n").build()));
        assertThrows(IllegalArgumentException.class,
                () -> ClaudeCommand.argv(RunOptions.builder("x").maxBudgetUsd(Double.NaN).build()));
    }

    @Test
    void optionsAreImmutableAndRoundTripThroughTheBuilder() {
        List<String> tools = new java.util.ArrayList<>(List.of("Read"));
        RunOptions options = RunOptions.builder("x").allowedTools(tools).maxTurns(3).build();
        tools.add("Write");
        assertEquals(List.of("Read"), options.allowedTools());
        assertThrows(UnsupportedOperationException.class, () -> options.allowedTools().add("Edit"));
        assertEquals(options, options.toBuilder().build());
        assertEquals("y", options.toBuilder().prompt("y").build().prompt());
    }

    private static String budgetFlag(double usd) {
        return ClaudeCommand.argv(RunOptions.builder("x").maxBudgetUsd(usd).build()).get(BASE.size());
    }

    /** The expected argv: the fixed start, then {@code rest}, then the fixed options that end every argv. */
    private static List<String> argv(String... rest) {
        List<String> all = new java.util.ArrayList<>(BASE);
        all.addAll(List.of(rest));
        all.addAll(FIXED);
        return all;
    }

    /** No setting sources but what the policy lists (none here), and only the session's MCP servers. */
    private static final List<String> FIXED = List.of("--setting-sources=", "--strict-mcp-config");

    @Test
    void theSettingSourcesAreThePolicysOnly() {
        List<String> argv = ClaudeCommand.argv(RunOptions.builder("Hi").settingSources(List.of("user", "project")).build());
        assertEquals(List.of("--setting-sources=user,project", "--strict-mcp-config"),
                argv.subList(argv.size() - 2, argv.size()));
    }
}
