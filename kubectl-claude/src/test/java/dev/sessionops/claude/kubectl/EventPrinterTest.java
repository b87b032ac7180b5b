package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

class EventPrinterTest {
    // Lines in the shape the pinned claude CLI prints with --output-format stream-json --verbose.
    static final String INIT = "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s-1\",\"tools\":[\"Write\"]}";
    static final String TOOL = "{\"type\":\"assistant\",\"parent_tool_use_id\":null,\"session_id\":\"s-1\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"Write\","
            + "\"input\":{\"file_path\":\"/workspace/notes.txt\",\"content\":\"hello\"}}]}}";
    static final String TOOL_RESULT = "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":"
            + "\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"File created\"}]}}";
    static final String TEXT = "{\"type\":\"assistant\",\"parent_tool_use_id\":null,\"message\":{\"role\":\"assistant\","
            + "\"content\":[{\"type\":\"text\",\"text\":\"Done: wrote notes.txt\"}]}}";
    static final String SUBAGENT = "{\"type\":\"assistant\",\"parent_tool_use_id\":\"t9\",\"message\":{\"content\":"
            + "[{\"type\":\"text\",\"text\":\"subagent chatter\"}]}}";
    static final String RESULT = "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,"
            + "\"result\":\"Done: wrote notes.txt\",\"session_id\":\"s-1\"}";

    private final StringWriter out = new StringWriter();
    private final EventPrinter printer = new EventPrinter(new PrintWriter(out, true), false);

    @Test
    void printsTextAndToolCallsOnceAndNotTheRepeatedResult() {
        for (String line : new String[] {INIT, TOOL, TOOL_RESULT, SUBAGENT, TEXT, RESULT}) {
            printer.accept(null, line);
        }
        assertEquals("[tool: Write notes.txt]\nDone: wrote notes.txt\n", out.toString());
        assertTrue(printer.sawResult());
    }

    @Test
    void aResultThatDiffersFromTheLastTextIsPrinted() {
        printer.accept("assistant", TEXT);
        printer.accept("result", RESULT.replace("\"result\":\"Done: wrote notes.txt\"", "\"result\":\"Summary\""));
        assertEquals("Done: wrote notes.txt\nSummary\n", out.toString());
    }

    @Test
    void anErrorResultIsLeftToTheOutcomeReport() {
        printer.accept("result", "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,\"result\":\"API Error: 400\"}");
        assertEquals("", out.toString());
        assertTrue(printer.sawResult());
    }

    @Test
    void nonJsonLinesOfAPodLogAreSkipped() {
        printer.accept(null, "npm WARN something");
        printer.accept(null, "{\"not\":\"an event\"}");
        assertEquals("", out.toString());
        assertFalse(printer.sawResult());
    }

    @Test
    void theStatusEventOfExpiredEventsShowsTheResult() {
        printer.accept(SseEvent.STATUS, "{\"name\":\"m\",\"phase\":\"Succeeded\",\"result\":\"Old answer\"}");
        assertEquals("Old answer\n", out.toString());
        assertTrue(printer.sawResult());
    }

    @Test
    void rawPrintsEveryEventAsItCame() {
        EventPrinter raw = new EventPrinter(new PrintWriter(out, true), true);
        raw.accept(null, INIT);
        raw.accept(null, "not json");
        raw.accept(null, RESULT);
        assertEquals(INIT + "\n" + RESULT + "\n", out.toString());
    }

    @Test
    void toolLinesAreShort() {
        var json = OperatorApiStub.JSON;
        assertEquals("[tool: Bash ls -la]", ToolSummary.line("Bash", json.createObjectNode().put("command", "ls  -la\n")));
        assertEquals("[tool: TodoWrite]", ToolSummary.line("TodoWrite", json.createObjectNode()));
        String longCommand = "echo " + "x".repeat(100);
        assertEquals(60 + "[tool: Bash ]".length(), ToolSummary.line("Bash", json.createObjectNode().put("command", longCommand)).length());
    }
}
