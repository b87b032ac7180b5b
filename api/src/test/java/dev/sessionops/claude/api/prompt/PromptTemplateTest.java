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
    void aPromptThatWouldRenderPastTheCapIsRefused() {
        int cap = PromptTemplate.DEFAULT_MAX_BYTES;
        assertEquals(512 * 1024, cap);
        String template = "{a}".repeat(200_000);
        PromptException bomb = assertThrows(PromptException.class,
                () -> PromptTemplate.render(template, Map.of("a", "x".repeat(600_000))));
        assertEquals(PromptException.PROMPT_TOO_LARGE, bomb.reason());
        assertTrue(bomb.getMessage().contains(cap + " bytes"), bomb.getMessage());
        // a little over the cap, by placeholders of small values, or by multi-byte characters alone
        assertThrows(PromptException.class, () -> PromptTemplate.render("{a}".repeat(cap / 10 + 1), Map.of("a", "0123456789")));
        assertEquals(PromptException.PROMPT_TOO_LARGE, assertThrows(PromptException.class,
                () -> PromptTemplate.render("\u00e9".repeat(cap / 2 + 1), Map.of())).reason());
        // at the cap: fine; a 200 KiB value in a template: fine
        assertEquals(cap, assertDoesNotThrowRender("a".repeat(cap)).length());
        String value = "v".repeat(200 * 1024);
        assertEquals("<" + value + ">", assertDoesNotThrowRender("<{big}>", Map.of("big", value)));
    }

    @Test
    void theCapIsTheCallersWithinTheConfigMapsRoom() throws PromptException {
        assertEquals("0123456789", PromptTemplate.render("{a}", Map.of("a", "0123456789"), 10));
        assertEquals(PromptException.PROMPT_TOO_LARGE, assertThrows(PromptException.class,
                () -> PromptTemplate.render("{a}!", Map.of("a", "0123456789"), 10)).reason());
        assertTrue(assertThrows(PromptException.class, () -> PromptTemplate.render("x".repeat(11), Map.of(), 10))
                .getMessage().contains("larger than 10 bytes"));
        assertEquals(PromptTemplate.CEILING_BYTES, PromptTemplate.checkCap(PromptTemplate.CEILING_BYTES));
        assertThrows(IllegalArgumentException.class, () -> PromptTemplate.render("x", Map.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> PromptTemplate.checkCap(PromptTemplate.CEILING_BYTES + 1));
        assertTrue(PromptTemplate.CEILING_BYTES < 1024 * 1024, "a ConfigMap holds 1 MiB");
    }

    /**
     * What a hostile message can hand the operator: a megabyte of {@code {} (a promptFrom ConfigMap holds 1 MiB) and
     * a template bomb ({@code {a}} 200,000 times, a 600 KB value: 120 GB rendered). Each is refused within 100 ms and
     * allocates a few times the cap at most, not the template's expansion (the best of three tries, so a GC pause or
     * a busy machine does not decide).
     */
    @Test
    void aMegabyteOfBracesAndATemplateBombAreRefusedQuicklyInBoundedMemory() {
        int cap = PromptTemplate.DEFAULT_MAX_BYTES;
        String braces = "{".repeat(1024 * 1024);
        String bomb = "{a}".repeat(200_000);
        Map<String, String> huge = Map.of("a", "x".repeat(600_000));
        assertRefusedQuickly(() -> PromptTemplate.render(braces, Map.of()), cap);
        assertRefusedQuickly(() -> PromptTemplate.render(bomb, huge), cap);
        assertRefusedQuickly(() -> PromptTemplate.render("\\{" + braces, Map.of()), cap);
    }

    private interface Render {
        String run() throws PromptException;
    }

    private static void assertRefusedQuickly(Render render, int cap) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                .getThreadMXBean();
        long bestNanos = Long.MAX_VALUE;
        long leastBytes = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3; attempt++) {
            long bytes = threads.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            PromptException e = assertThrows(PromptException.class, render::run);
            bestNanos = Math.min(bestNanos, System.nanoTime() - start);
            leastBytes = Math.min(leastBytes, threads.getCurrentThreadAllocatedBytes() - bytes);
            assertEquals(PromptException.PROMPT_TOO_LARGE, e.reason());
        }
        assertTrue(bestNanos < 100_000_000L, "refused in " + bestNanos / 1_000_000 + " ms");
        assertTrue(leastBytes < 8L * cap, "allocated " + leastBytes + " bytes for a cap of " + cap);
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
        return assertDoesNotThrowRender(template, Map.of());
    }

    private static String assertDoesNotThrowRender(String template, Map<String, ?> variables) {
        try {
            return PromptTemplate.render(template, variables);
        } catch (PromptException e) {
            throw new AssertionError(e);
        }
    }
}
