package dev.sessionops.claude.api.prompt;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;


class PromptFileTest {

    private static PromptException failure(String text) {
        return assertThrows(PromptException.class, () -> PromptFile.parse(text));
    }

    @Test
    void readsEveryOption() throws PromptException {
        PromptFile file = PromptFile.parse("""
                ---
                model: opus
                fallbackModel: sonnet
                effort: xhigh
                systemPrompt: You are a reviewer
                appendSystemPrompt: Be brief
                allowedTools: [Read, "Bash(git:*)"]
                disallowedTools:
                  - Write
                permissionMode: acceptEdits
                maxTurns: 5
                maxBudgetUsd: 0.25
                timeout: 1h30m
                session:
                  required: true
                variables:
                  lang: Java
                  count: 3
                  strict: false
                  empty:
                ---
                Review the {lang} code.
                """);
        FrontMatterSettings s = file.settings();
        assertEquals("opus", s.getModel());
        assertEquals("sonnet", s.getFallbackModel());
        assertEquals("xhigh", s.getEffort());
        assertEquals("You are a reviewer", s.getSystemPrompt());
        assertEquals("Be brief", s.getAppendSystemPrompt());
        assertEquals(List.of("Read", "Bash(git:*)"), s.getAllowedTools());
        assertEquals(List.of("Write"), s.getDisallowedTools());
        assertEquals("acceptEdits", s.getPermissionMode());
        assertEquals(5, s.getMaxTurns());
        assertEquals(0.25, s.getMaxBudgetUsd());
        assertEquals("1h30m", s.getTimeout());
        assertTrue(file.sessionRequired());
        assertEquals(Map.of("lang", "Java", "count", "3", "strict", "false", "empty", ""), file.variables());
        assertEquals("Review the {lang} code.\n", file.body());
    }

    @Test
    void textWithoutFrontMatterIsAllBody() throws PromptException {
        String text = "Just a prompt\n---\nwith a rule\n";
        PromptFile file = PromptFile.parse(text);
        assertEquals(text, file.body());
        assertFalse(file.sessionRequired());
        assertTrue(file.variables().isEmpty());
        assertNull(file.settings().getModel());
        assertNull(file.settings().getAllowedTools());
    }

    @Test
    void plainPromptIsNeverParsed() throws PromptException {
        String text = "---\nmodel: opus\n---\n{x}";
        PromptFile file = PromptFile.plain(text);
        assertEquals(text, file.body());
        assertNull(file.settings().getModel());
        assertFalse(file.sessionRequired());
        assertEquals("---\nmodel: opus\n---\n1", file.render(Map.of("x", "1")));
    }

    @Test
    void emptyAndCommentOnlyFrontMatterSetNothing() throws PromptException {
        assertEquals("body", PromptFile.parse("---\n---\nbody").body());
        PromptFile commented = PromptFile.parse("---\n# nothing yet\n---\nbody");
        assertEquals("body", commented.body());
        assertNull(commented.settings().getModel());
    }

    @Test
    void handlesCrLfByteOrderMarkAndMissingBody() throws PromptException {
        PromptFile file = PromptFile.parse("\uFEFF---\r\nmodel: haiku\r\n---  \r\nHi\r\n");
        assertEquals("haiku", file.settings().getModel());
        assertEquals("Hi\r\n", file.body());
        assertEquals("", PromptFile.parse("---\nmodel: haiku\n---").body());
    }

    @Test
    void onlyTheFirstClosingLineEndsTheFrontMatter() throws PromptException {
        PromptFile file = PromptFile.parse("---\nmodel: a\n---\nbody\n---\nmore\n");
        assertEquals("body\n---\nmore\n", file.body());
    }

    @Test
    void nullValuesLeaveOptionsUnset() throws PromptException {
        PromptFile file = PromptFile.parse("---\nmodel:\nmaxTurns: ~\n---\n");
        assertNull(file.settings().getModel());
        assertNull(file.settings().getMaxTurns());
    }

    @Test
    void missingClosingLineIsInvalid() {
        PromptException e = failure("---\nmodel: opus\nHello");
        assertEquals(PromptException.INVALID_FRONT_MATTER, e.reason());
        assertTrue(e.getMessage().contains("closing"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "---\nmodel: [unclosed\n---\n",
            "---\nmodel: a\n  bad indent: b\n---\n",
            "---\nmodel: a\nmodel: b\n---\n",
            "---\n\tmodel: a\n---\n",
    })
    void invalidYamlIsReported(String text) {
        PromptException e = failure(text);
        assertEquals(PromptException.INVALID_FRONT_MATTER, e.reason());
        assertTrue(e.getMessage().startsWith("front matter is not valid YAML"), e.getMessage());
    }

    @Test
    void frontMatterMustBeAMap() {
        PromptException e = failure("---\n- model\n---\n");
        assertEquals(PromptException.INVALID_FRONT_MATTER, e.reason());
        assertTrue(e.getMessage().contains("must be a map"), e.getMessage());
        assertEquals(PromptException.INVALID_FRONT_MATTER, failure("---\njust text\n---\n").reason());
    }

    @Test
    void unknownKeyIsNamed() {
        PromptException e = failure("---\nmodel: a\ntemperature: 0.7\n---\n");
        assertEquals(PromptException.UNKNOWN_FRONT_MATTER_KEY, e.reason());
        assertTrue(e.getMessage().contains("\"temperature\""), e.getMessage());
        assertTrue(e.getMessage().contains("maxTurns"), "lists the known keys: " + e.getMessage());
    }

    @Test
    void channelCoderOnlyKeysGetAHint() {
        PromptException e = failure("---\ninput:\n  name: string\n---\n");
        assertEquals(PromptException.UNKNOWN_FRONT_MATTER_KEY, e.reason());
        assertTrue(e.getMessage().contains("variables"), e.getMessage());
    }

    @Test
    void unknownSessionKeyIsNamed() {
        PromptException e = failure("---\nsession:\n  name: x\n---\n");
        assertEquals(PromptException.UNKNOWN_FRONT_MATTER_KEY, e.reason());
        assertTrue(e.getMessage().contains("session.name"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "model | 42 | a string",
            "model | [a, b] | a string",
            "systemPrompt | {a: b} | a string",
            "allowedTools | Read | a list of strings",
            "allowedTools[1] | [Read, 3] | a string",
            "disallowedTools | {a: b} | a list of strings",
            "effort | extreme | one of low, medium, high, xhigh, max",
            "effort | HIGH | one of low",
            "permissionMode | yolo | one of acceptEdits, auto, bypassPermissions, manual, dontAsk, plan",
            "permissionMode | ACCEPT_EDITS | one of acceptEdits",
            "maxTurns | 0 | a whole number of at least 1",
            "maxTurns | -3 | a whole number of at least 1",
            "maxTurns | 2.5 | a whole number of at least 1",
            "maxTurns | '5' | a whole number of at least 1",
            "maxTurns | 99999999999 | a whole number of at least 1",
            "maxBudgetUsd | 0 | a number greater than 0",
            "maxBudgetUsd | -1.5 | a number greater than 0",
            "maxBudgetUsd | '1.5' | a number greater than 0",
            "timeout | 30 | a duration",
            "timeout | 1d | a duration",
            "timeout | 0s | a duration",
            "session | true | a map",
            "session.required | 'yes please' | true or false",
            "variables | [a] | a map",
            "variables.a | [1, 2] | a text, number or boolean",
    })
    void wrongTypeOrRangeNamesKeyAndExpectation(String key, String yamlValue, String expected) {
        String topKey = key.replaceAll("[.\\[].*", "");
        String value = switch (key) {
            case "session.required" -> "{required: " + yamlValue + "}";
            case "variables.a" -> "{a: " + yamlValue + "}";
            default -> yamlValue;
        };
        PromptException e = failure("---\n" + topKey + ": " + value + "\n---\nbody");
        assertEquals(PromptException.INVALID_FRONT_MATTER, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("\"" + key + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + expected), e.getMessage());
    }

    @Test
    void infiniteBudgetIsInvalid() {
        // Jackson's YAML parser rejects .inf itself; either way the key is refused
        assertEquals(PromptException.INVALID_FRONT_MATTER, failure("---\nmaxBudgetUsd: .inf\n---\n").reason());
    }

    @Test
    void acceptsBoundaryValues() throws PromptException {
        PromptFile file = PromptFile.parse("---\nmaxTurns: 1\nmaxBudgetUsd: 1\ntimeout: 500ms\n---\n");
        assertEquals(1, file.settings().getMaxTurns());
        assertEquals(1.0, file.settings().getMaxBudgetUsd());
        assertEquals("500ms", file.settings().getTimeout());
    }

    @Test
    void sessionRequiredFailsMessagesWithoutSession() throws PromptException {
        PromptFile file = PromptFile.parse("---\nsession: {required: true}\n---\nHi");
        assertDoesNotThrow(() -> file.checkSession(true));
        PromptException e = assertThrows(PromptException.class, () -> file.checkSession(false));
        assertEquals(PromptException.SESSION_REQUIRED, e.reason());

        PromptFile optional = PromptFile.parse("---\nsession: {required: false}\n---\nHi");
        assertFalse(optional.sessionRequired());
        assertDoesNotThrow(() -> optional.checkSession(false));
    }

    @Test
    void rendersBodyWithDefaultsOverriddenByMessageVariables() throws PromptException {
        PromptFile file = PromptFile.parse("---\nvariables: {lang: Java, tone: formal}\n---\n{lang} in a {tone} tone");
        assertEquals("Kotlin in a formal tone", file.render(Map.of("lang", "Kotlin")));
        assertEquals("Java in a formal tone", file.render(null));
        PromptException e = assertThrows(PromptException.class, () -> PromptFile.parse("{missing}").render(Map.of()));
        assertEquals(PromptException.UNKNOWN_VARIABLE, e.reason());
    }

    @Test
    void hasFrontMatterAgreesWithParse() throws PromptException {
        for (String text : new String[] {"---\nmodel: opus\n---\nBody", "\uFEFF---  \nmodel: opus\n---\nBody"}) {
            assertTrue(PromptFile.hasFrontMatter(text), text);
            assertEquals("opus", PromptFile.parse(text).settings().getModel());
        }
        for (String text : new String[] {"Body\n---\n", " ---\nx", "----\nx", ""}) {
            assertFalse(PromptFile.hasFrontMatter(text), text);
            assertEquals(text, PromptFile.parse(text).body());
        }
    }
}
