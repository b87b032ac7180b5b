package dev.sessionops.claude.api.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PromptTemplateTest {

    @Test
    void replacesSimpleVariables() throws PromptException {
        assertEquals("Task FEAT-123 is done",
                PromptTemplate.render("Task {id} is {status}", Map.of("id", "FEAT-123", "status", "done")));
    }

    @Test
    void allowsBlanksInsideBraces() throws PromptException {
        assertEquals("Hello World", PromptTemplate.render("Hello { name }", Map.of("name", "World")));
    }

    @Test
    void looksUpNestedMaps() throws PromptException {
        Map<String, Object> vars = Map.of("user", Map.of("name", "Alice", "role", Map.of("title", "admin")));
        assertEquals("Alice is admin", PromptTemplate.render("{user.name} is {user.role.title}", vars));
    }

    @Test
    void looksUpFlatDottedKeys() throws PromptException {
        assertEquals("v1", PromptTemplate.render("{app.version}", Map.of("app.version", "v1")));
    }

    @Test
    void flatDottedKeyWinsOverNestedMap() throws PromptException {
        Map<String, Object> vars = Map.of("a.b", "flat", "a", Map.of("b", "nested"));
        assertEquals("flat", PromptTemplate.render("{a.b}", vars));
    }

    @Test
    void backslashEscapesBraces() throws PromptException {
        assertEquals("{name} and {x}", PromptTemplate.render("\\{name\\} and \\{x}", Map.of("name", "n")));
    }

    @Test
    void unknownVariableIsAnErrorNamingIt() {
        PromptException e = assertThrows(PromptException.class,
                () -> PromptTemplate.render("Hello {nmae}", Map.of("name", "World")));
        assertEquals(PromptException.UNKNOWN_VARIABLE, e.reason());
        assertTrue(e.getMessage().contains("{nmae}"), e.getMessage());
    }

    @Test
    void unknownNestedVariableIsAnError() {
        PromptException e = assertThrows(PromptException.class,
                () -> PromptTemplate.render("{user.email}", Map.of("user", Map.of("name", "A"))));
        assertEquals(PromptException.UNKNOWN_VARIABLE, e.reason());
        assertTrue(e.getMessage().contains("user.email"));
        // a string value has no keys
        assertThrows(PromptException.class, () -> PromptTemplate.render("{user.name}", Map.of("user", "A")));
    }

    @Test
    void nullVariablesMeanNoneGiven() throws PromptException {
        assertEquals("plain", PromptTemplate.render("plain", null));
        assertThrows(PromptException.class, () -> PromptTemplate.render("{x}", null));
    }

    @Test
    void valuesContainingBracesAreNotInterpolatedAgain() throws PromptException {
        Map<String, String> vars = Map.of("a", "{b}", "b", "SHOULD-NOT-APPEAR", "c", "\\{d}");
        assertEquals("{b} \\{d}", PromptTemplate.render("{a} {c}", vars));
    }

    @Test
    void keepsBracesThatAreNotVariablePaths() throws PromptException {
        String text = "JSON {\"port\": 3000} empty {} code { return 1; } dots {e.g.} unclosed {x";
        assertEquals(text, PromptTemplate.render(text, Map.of()));
    }

    @Test
    void keepsShellExpansionsVerbatim() throws PromptException {
        assertEquals("echo ${HOME} $PATH ${x", PromptTemplate.render("echo ${HOME} $PATH ${x", Map.of()));
    }

    @Test
    void innermostPairIsThePlaceholder() throws PromptException {
        assertEquals("{a1}", PromptTemplate.render("{a{b}}", Map.of("b", "1")));
    }

    @Test
    void formatsValues() throws PromptException {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("none", null);
        vars.put("n", 3);
        vars.put("list", List.of("a", "b"));
        vars.put("obj", Map.of("port", 3000));
        assertEquals("[] 3 [\"a\",\"b\"] {\"port\":3000}", PromptTemplate.render("[{none}] {n} {list} {obj}", vars));
    }

    @Test
    void keepsTextWithoutPlaceholdersIntact() throws PromptException {
        String text = "multi\nline \\ backslash \\n and unicode \u00e9\u4e2d";
        assertEquals(text, PromptTemplate.render(text, Map.of()));
    }

    /** A template bomb: many placeholders of a large value stop at the cap, whatever they would have grown to. */
    @Test
    void aPromptThatWouldRenderPastTheCliArgumentLimitIsRefused() {
        String template = "{a}".repeat(43_690);
        PromptException bomb = assertThrows(PromptException.class,
                () -> PromptTemplate.render(template, Map.of("a", "x".repeat(600_000))));
        assertEquals(PromptException.PROMPT_TOO_LARGE, bomb.reason());
        assertTrue(bomb.getMessage().contains("131071 bytes"), bomb.getMessage());
        // a little over the cap, by placeholders of small values, or by multi-byte characters alone
        assertThrows(PromptException.class, () -> PromptTemplate.render("{a}".repeat(13_108), Map.of("a", "0123456789")));
        assertEquals(PromptException.PROMPT_TOO_LARGE, assertThrows(PromptException.class,
                () -> PromptTemplate.render("\u00e9".repeat(70_000), Map.of())).reason());
        // at the cap: fine
        assertEquals(PromptTemplate.MAX_RENDERED_BYTES, assertDoesNotThrowRender("a".repeat(PromptTemplate.MAX_RENDERED_BYTES)).length());
    }

    /** Unmatched and nested braces in bulk render as written (each brace found once, not a scan to the end per brace). */
    @Test
    void bracesInBulkRenderAsWritten() throws PromptException {
        String opens = "{".repeat(131_000);
        assertEquals(opens, PromptTemplate.render(opens, Map.of()));
        String nested = "{".repeat(60_000) + "1}" + "}".repeat(10); // the innermost {1} is no variable
        assertEquals(nested, PromptTemplate.render(nested, Map.of()));
        assertEquals("${" + "{".repeat(1000), PromptTemplate.render("${" + "{".repeat(1000), Map.of()));
        assertEquals("{1} and {b} ${c}", PromptTemplate.render("{{a}} and \\{b} ${c}", Map.of("a", 1)));
    }

    private static String assertDoesNotThrowRender(String template) {
        try {
            return PromptTemplate.render(template, Map.of());
        } catch (PromptException e) {
            throw new AssertionError(e);
        }
    }
}
