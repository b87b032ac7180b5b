package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class PromptCheckTest {
    private static Optional<String> inline(String prompt, Map<String, String> data) {
        return PromptCheck.problem(new PromptInput(prompt, false), data, true);
    }

    private static Optional<String> file(String text, Map<String, String> data, boolean hasSession) {
        return PromptCheck.problem(new PromptInput(text, true), data, hasSession);
    }

    @Test
    void placeholdersNeedAValue() {
        assertEquals(Optional.empty(), inline("Fix {what} in {where.file}", Map.of("what", "it", "where.file", "a.c")));
        assertEquals(Optional.of("the prompt uses {x} but no value was given for it (give one with --data x=VALUE, or"
                + " write \\{ for a literal brace)"), inline("Write {x}", Map.of()));
        // what the operator keeps as written passes: JSON, code, shell expansions, escaped braces
        assertEquals(Optional.empty(), inline("JSON {\"a\": 1} code { return 1; } ${HOME} \\{x} {}", Map.of()));
    }

    @Test
    void aPlaceholderWithoutItsClosingBraceIsRefused() {
        assertEquals(Optional.of("the prompt has \"{x\" without a closing brace (write {x} for the variable, or \\{ for"
                + " a literal brace)"), inline("Write {x", Map.of("x", "1")));
        assertEquals(Optional.empty(), inline("Write \\{x", Map.of()));
        assertEquals(Optional.empty(), inline("echo ${x", Map.of()));
    }

    @Test
    void frontMatterIsReadAsTheOperatorReadsIt() {
        assertEquals(Optional.empty(), file("---\nvariables: {who: world}\n---\nHello {who}", Map.of(), true));
        assertEquals(Optional.of("the prompt uses {who} but no value was given for it (give one with --data who=VALUE"
                + " or under variables: in the front matter, or write \\{ for a literal brace)"),
                file("---\nmodel: opus\n---\nHello {who}", Map.of(), true));
        assertEquals(Optional.of("prompt file: front matter key \"effort\": expected one of low, medium, high, xhigh,"
                + " max, got \"huge\""), file("---\neffort: huge\n---\nHi", Map.of(), true));
        assertEquals(Optional.of("prompt file: unknown front matter key \"modle\" (known keys: allowedTools,"
                + " appendSystemPrompt, disallowedTools, effort, fallbackModel, maxBudgetUsd, maxTurns, model,"
                + " permissionMode, session, systemPrompt, timeout, variables)"), file("---\nmodle: opus\n---\nHi", Map.of(), true));
        assertEquals(Optional.of("the prompt file's front matter sets session.required: true: give --session or"
                + " --new-session"), file("---\nsession: {required: true}\n---\nHi", Map.of(), false));
        assertEquals(Optional.of("the prompt is empty"), file("---\nmodel: opus\n---\n  \n", Map.of(), true));
    }
}
