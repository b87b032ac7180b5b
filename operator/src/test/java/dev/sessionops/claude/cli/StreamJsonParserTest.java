package dev.sessionops.claude.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Every fixture is real output of CLI 2.1.330 against FakeAnthropicApi (see fixtures/stream-json/README.md). */
class StreamJsonParserTest {

    private static final String CWD = "/tmp/cso-fixtures/workspace";
    private static final String MODEL = "claude-opus-5-5";
    /** One API call of FakeAnthropicApi at the model's list price. */
    private static final double ONE_CALL_USD = 0.001131;
    private static final TokenUsage ONE_CALL = new TokenUsage(120, 30, 10, 5);
    private static final TokenUsage TWO_CALLS = ONE_CALL.plus(ONE_CALL);

    @Test
    void text() throws IOException {
        RunOutcome o = fixture("text");
        assertTrue(o.hasResult());
        assertTrue(o.succeeded());
        assertEquals("6026f4ae-4dd3-40b5-bb5f-41ad82931e9d", o.sessionId());
        assertEquals(MODEL, o.model());
        assertEquals(CWD, o.cwd());
        assertEquals("Received 1 messages. Last: Hello fixture", o.result());
        assertEquals("Received 1 messages. Last: Hello fixture", o.assistantText());
        assertFalse(o.isError());
        assertEquals("success", o.subtype());
        assertEquals(1, o.numTurns());
        assertEquals(347, o.durationMs());
        assertEquals(ONE_CALL_USD, o.costUsd(), 1e-9);
        assertEquals(ONE_CALL_USD, o.runCostUsd(), 1e-9);
        assertEquals(ONE_CALL, o.usage());
        assertEquals(List.of(), o.permissionDenials());
        assertEquals(List.of(), o.errors());
        assertEquals(List.of(), o.otherLines());
        assertNull(o.errorMessage());
    }

    @Test
    void resumeKeepsTheSessionAndReportsTheRunningTotalCost() throws IOException {
        RunOutcome o = fixture("resume");
        assertTrue(o.succeeded());
        assertEquals("6026f4ae-4dd3-40b5-bb5f-41ad82931e9d", o.sessionId());
        assertEquals("Received 3 messages. Last: Second message", o.result());
        assertEquals(1, o.numTurns());
        assertEquals(196, o.durationMs());
        // total_cost_usd includes the first run's cost, restored from the transcript; usage is this run's
        assertEquals(2 * ONE_CALL_USD, o.costUsd(), 1e-9);
        assertEquals(ONE_CALL_USD, o.runCostUsd(), 1e-9);
        assertEquals(ONE_CALL, o.usage());
    }

    @Test
    void toolWrite() throws IOException {
        RunOutcome o = fixture("tool-write");
        assertTrue(o.succeeded());
        // where the next turn resumes (--resume-session-at): the last assistant event, after the tool round trip
        assertEquals("0deff0de-8faa-48d9-bbc9-4efa3fb4e0cf", o.lastAssistantUuid());
        assertEquals("49e05fc6-7b52-48a5-8ad7-ac3ae13b9300", o.sessionId());
        assertEquals("Tool result: ok", o.result());
        assertEquals("Tool result: ok", o.assistantText());
        assertEquals(2, o.numTurns());
        assertEquals(371, o.durationMs());
        assertEquals(2 * ONE_CALL_USD, o.costUsd(), 1e-9);
        assertEquals(2 * ONE_CALL_USD, o.runCostUsd(), 1e-9);
        assertEquals(TWO_CALLS, o.usage());
        assertEquals(List.of(), o.permissionDenials());
    }

    @Test
    void permissionDeniedStillSucceedsButListsTheTool() throws IOException {
        RunOutcome o = fixture("permission-denied");
        assertTrue(o.succeeded());
        assertEquals("ad99ecaa-c024-4124-82d5-2f8fad96d1a9", o.sessionId());
        assertEquals(List.of("Write"), o.permissionDenials());
        assertEquals("Tool result: error: Claude requested permissions to write to " + CWD
                + "/denied.txt, but you haven't granted it yet.", o.result());
        assertEquals(2, o.numTurns());
        assertEquals(TWO_CALLS, o.usage());
    }

    @Test
    void apiErrorIsAnErrorThoughItsSubtypeIsSuccess() throws IOException {
        RunOutcome o = fixture("api-error");
        assertTrue(o.hasResult());
        assertTrue(o.isError());
        assertFalse(o.succeeded());
        assertEquals("success", o.subtype());
        assertEquals("e4f78e2d-8f69-4243-a4eb-3d09f7247f88", o.sessionId());
        assertEquals("API Error: 400 Fake bad request for testing", o.result());
        assertEquals("API Error: 400 Fake bad request for testing", o.assistantText());
        assertEquals(List.of("API Error: 400 Fake bad request for testing"), o.errors());
        assertEquals("API Error: 400 Fake bad request for testing", o.errorMessage());
        assertEquals(1, o.numTurns());
        assertEquals(532, o.durationMs());
        assertEquals(0, o.costUsd());
        assertEquals(0, o.runCostUsd());
        assertEquals(TokenUsage.ZERO, o.usage());
    }

    @Test
    void aSubagentsAssistantEventIsNotWhereTheConversationResumes() {
        RunOutcome o = StreamJsonParser.parse(String.join("\n",
                "{\"type\":\"assistant\",\"uuid\":\"0deff0de-8faa-48d9-bbc9-4efa3fb4e0cf\",\"parent_tool_use_id\":null,\"message\":{\"content\":[]}}",
                "{\"type\":\"assistant\",\"uuid\":\"71850606-c8c8-41c8-aff4-3121258c1376\",\"parent_tool_use_id\":\"toolu_1\",\"message\":{\"content\":[]}}",
                // printed by the agent's own tool, not a UUID: never where the next run resumes
                "{\"type\":\"assistant\",\"uuid\":\"--mcp-config=/tmp/evil.json\",\"parent_tool_use_id\":null,\"message\":{\"content\":[]}}",
                "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"ok\"}"));
        assertEquals("0deff0de-8faa-48d9-bbc9-4efa3fb4e0cf", o.lastAssistantUuid());
        assertNull(StreamJsonParser.parse("not json").lastAssistantUuid());
    }

    @Test
    void maxTurns() throws IOException {
        RunOutcome o = fixture("max-turns");
        assertTrue(o.isError());
        assertEquals("error_max_turns", o.subtype());
        assertEquals("b6591edf-75a9-4089-828f-58e6c264a7df", o.sessionId());
        assertNull(o.result());
        assertEquals("", o.assistantText());
        assertEquals(List.of("Reached maximum number of turns (1)"), o.errors());
        assertEquals("Reached maximum number of turns (1)", o.errorMessage());
        assertEquals(2, o.numTurns());
        assertEquals(305, o.durationMs());
        assertEquals(ONE_CALL_USD, o.costUsd(), 1e-9);
        assertEquals(ONE_CALL, o.usage());
    }

    @Test
    void maxBudget() throws IOException {
        RunOutcome o = fixture("max-budget");
        assertTrue(o.isError());
        assertEquals("error_max_budget_usd", o.subtype());
        assertEquals("30751a3b-3390-4f2c-acaa-ce3801fbb816", o.sessionId());
        assertEquals(List.of("Reached maximum budget ($0.0005)"), o.errors());
        assertEquals(ONE_CALL_USD, o.costUsd(), 1e-9);
        assertEquals(ONE_CALL_USD, o.runCostUsd(), 1e-9);
        assertEquals(TokenUsage.ZERO, o.usage()); // as the CLI reports it
    }

    @Test
    void resumeUnknownHasNoInitAndTakesTheIdFromTheResult() throws IOException {
        RunOutcome o = fixture("resume-unknown");
        String message = "No conversation found with session ID: 0b0e2d7e-1111-4222-8333-944455556666";
        assertTrue(o.hasResult());
        assertTrue(o.isError());
        assertEquals("error_during_execution", o.subtype());
        assertEquals("0b0e2d7e-1111-4222-8333-944455556666", o.sessionId());
        assertNull(o.model());
        assertNull(o.cwd());
        assertNull(o.result());
        assertEquals(List.of(message), o.errors());
        assertEquals(List.of(message), o.otherLines()); // the same text on stderr
        assertEquals(0, o.numTurns());
        assertEquals(TokenUsage.ZERO, o.usage());
    }

    @Test
    void killedRunHasNoResult() throws IOException {
        RunOutcome o = fixture("killed");
        assertFalse(o.hasResult());
        assertFalse(o.succeeded());
        assertFalse(o.isError());
        assertEquals("e595ad8e-aa49-4a21-84f2-b4ea59dd0f1d", o.sessionId());
        assertEquals(MODEL, o.model());
        assertNull(o.result());
        assertNull(o.subtype());
        assertEquals(0, o.costUsd());
        assertEquals(TokenUsage.ZERO, o.usage());
        assertEquals("The CLI ended without a result event", o.errorMessage());
    }

    @Test
    void garbageAndBlankLinesAreSkipped() throws IOException {
        String log = "Warning: something on stderr\n\n   \n{not json\n[1,2]\n{\"no\":\"type\"}\n"
                + read("text") + "\ntrailing noise\n";
        RunOutcome o = StreamJsonParser.parse(log);
        assertTrue(o.succeeded());
        assertEquals("Received 1 messages. Last: Hello fixture", o.result());
        assertEquals(List.of("Warning: something on stderr", "{not json", "[1,2]", "{\"no\":\"type\"}",
                "trailing noise"), o.otherLines());
    }

    @Test
    void noOutputAtAllExplainsWithTheStrayLines() {
        RunOutcome empty = StreamJsonParser.parse("");
        assertFalse(empty.hasResult());
        assertNull(empty.sessionId());
        assertEquals("", empty.assistantText());
        RunOutcome usage = StreamJsonParser.parse("error: unknown option '-x'\n");
        assertEquals("The CLI ended without a result event: error: unknown option '-x'", usage.errorMessage());
    }

    @Test
    void subagentTextIsNotPartOfTheReply() {
        String log = """
                {"type":"assistant","parent_tool_use_id":"toolu_1","message":{"content":[{"type":"text","text":"sub"}]}}
                {"type":"assistant","parent_tool_use_id":null,"message":{"content":[{"type":"text","text":"a"},{"type":"tool_use","name":"Read"}]}}
                {"type":"assistant","message":{"content":[{"type":"text","text":"b"}]}}
                """;
        assertEquals("a\nb", StreamJsonParser.parse(log).assistantText());
    }

    @Test
    void keepsOnlyTheLastStrayLines() {
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            log.append("line ").append(i).append('\n');
        }
        List<String> other = StreamJsonParser.parse(log.toString()).otherLines();
        assertEquals(StreamJsonParser.MAX_OTHER_LINES, other.size());
        assertEquals("line 49", other.get(other.size() - 1));
    }

    @Test
    void whatItKeepsIsBoundedWhateverTheRunPrints() {
        StreamJsonParser parser = new StreamJsonParser();
        String block = "z".repeat(100_000);
        for (int i = 0; i < 30; i++) { // 3 M characters of assistant text
            parser.accept("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"" + block + "\"}]}}");
        }
        parser.accept("x".repeat(50_000)); // a stray line
        parser.skipped("{\"type\":\"result\",\"result\":\"aaa", 30_000_000);
        RunOutcome o = parser.outcome();
        assertEquals(StreamJsonParser.MAX_TEXT_CHARS + 1, o.assistantText().length(), "capped, with a mark");
        assertTrue(o.assistantText().endsWith("z…"));
        assertEquals(StreamJsonParser.MAX_OTHER_LINE_CHARS + 1, o.otherLines().get(0).length());
        assertFalse(o.hasResult(), "a result line too long to read is no result");
        assertEquals("[a line of 30000000 bytes was too long to read: {\"type\":\"result\",\"result\":\"aaa…]",
                o.otherLines().get(1));
        assertTrue(o.errorMessage().contains("30000000 bytes was too long to read"), o.errorMessage());
    }

    @Test
    void disallowedToolCalledAnywayCountsAsADenialThoughTheRunSucceeds() throws IOException {
        RunOutcome o = fixture("disallowed-tool");
        assertTrue(o.succeeded());
        assertEquals("5f4ca310-9b9f-45b8-8e1d-31bce74df3d6", o.sessionId());
        // the CLI's own permission_denials is empty: the denial comes from the "No such tool available" tool result
        assertEquals(List.of("Write"), o.permissionDenials());
        assertTrue(o.result().contains("No such tool available: Write"), o.result());
        assertEquals(2, o.numTurns());
        assertEquals(TWO_CALLS, o.usage());
    }

    @Test
    void aRunThatGotItsAnswerAfterRetriesSucceedsAndKeepsItsRetries() throws IOException {
        RunOutcome o = fixture("api-retried");
        assertTrue(o.succeeded());
        assertEquals("completed", o.terminalReason());
        assertEquals(2, o.apiRetries().latest().attempt());
        assertFalse(o.apiRetries().retrying());
        assertTrue(o.gaveUpOnModelApi().isEmpty());
        assertEquals("Received 1 messages. Last: [[fail-first 2 529 Overloaded for testing]] Hello after retries",
                o.result(), "the CLI's own error event is not the reply");
    }

    @Test
    void theCliGivingUpOnTheModelApiIsAnApiErrorAfterItsRetries() throws IOException {
        RunOutcome overloaded = fixture("api-overloaded");
        assertTrue(overloaded.isError());
        assertEquals("api_error", overloaded.terminalReason());
        assertEquals(new ApiRetry(2, 2, 1189, 529, "overloaded"), overloaded.gaveUpOnModelApi().orElseThrow());
        assertTrue(overloaded.result().startsWith("API Error: Repeated 529 Overloaded errors."), overloaded.result());

        RunOutcome unreachable = fixture("api-unreachable");
        assertEquals(new ApiRetry(3, 3, 2070, null, "unknown"), unreachable.gaveUpOnModelApi().orElseThrow());
        assertEquals("API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)",
                unreachable.result());
    }

    @Test
    void anApiErrorWithoutRetriesIsNotGivingUpOnTheApi() throws IOException {
        RunOutcome o = fixture("api-error");
        assertEquals("api_error", o.terminalReason());
        assertTrue(o.gaveUpOnModelApi().isEmpty(), "a 400 is refused at once, not retried");
    }

    private static RunOutcome fixture(String name) throws IOException {
        try (Reader reader = reader(name)) {
            return StreamJsonParser.parse(reader);
        }
    }

    private static String read(String name) throws IOException {
        try (InputStream in = stream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Reader reader(String name) {
        return new InputStreamReader(stream(name), StandardCharsets.UTF_8);
    }

    private static InputStream stream(String name) {
        InputStream in = StreamJsonParserTest.class.getResourceAsStream("/fixtures/stream-json/" + name + ".jsonl");
        if (in == null) {
            throw new IllegalStateException("missing fixture " + name);
        }
        return in;
    }
}
