package dev.sessionops.claude.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class UsageMeterTest {
    /** What the Messages API streams: the start's usage (1 output token), deltas, the delta's cumulative totals. */
    static final String STREAM = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":120,"cache_creation_input_tokens":10,"cache_read_input_tokens":5,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: ping
            data: {"type":"ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"usage: {\\"output_tokens\\": 999999}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":30}}

            event: message_stop
            data: {"type":"message_stop"}

            """;

    @Test
    void anEventStreamsUsageIsItsStartOverlaidWithItsDelta() {
        UsageMeter meter = UsageMeter.forContentType("text/event-stream; charset=utf-8");
        meter.feed(bytes(STREAM));
        assertEquals(new ResponseUsage("claude-sonnet-4-5", 120, 30, 10, 5), meter.usage());
    }

    @Test
    void chunkBoundariesAnywhereGiveTheSameUsage() {
        byte[] all = bytes(STREAM.replace("\n", "\r\n"));
        for (int size : new int[] { 1, 2, 3, 7, 64, 1000 }) {
            UsageMeter meter = UsageMeter.forContentType("text/event-stream");
            for (int i = 0; i < all.length; i += size) {
                meter.feed(Arrays.copyOfRange(all, i, Math.min(all.length, i + size)));
            }
            assertEquals(new ResponseUsage("claude-sonnet-4-5", 120, 30, 10, 5), meter.usage(), "chunks of " + size);
        }
    }

    @Test
    void aDeltaCarryingInputTotalsWins() {
        UsageMeter meter = UsageMeter.forContentType("text/event-stream");
        meter.feed(bytes(STREAM.replace("\"usage\":{\"output_tokens\":30}",
                "\"usage\":{\"input_tokens\":130,\"cache_read_input_tokens\":7,\"output_tokens\":31}")));
        assertEquals(new ResponseUsage("claude-sonnet-4-5", 130, 31, 10, 7), meter.usage());
    }

    @Test
    void contentThatLooksLikeUsageCountsForNothing() {
        // a huge text delta (past the line limit) and a data line of another event that names usage
        String text = "x".repeat(UsageMeter.MAX_LINE * 2);
        String stream = STREAM.replace("\"text\":\"usage: {\\\"output_tokens\\\": 999999}\"", "\"text\":\"" + text + "\"")
                + "event: ping\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":777}}\n\n";
        UsageMeter meter = UsageMeter.forContentType("text/event-stream");
        meter.feed(bytes(stream));
        assertEquals(30, meter.usage().outputTokens());
        assertEquals(120, meter.usage().inputTokens());
    }

    @Test
    void aJsonMessageHasItsUsageAtTheTop() {
        String body = "{\"id\":\"msg_1\",\"type\":\"message\",\"model\":\"claude-haiku-4-5\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"{\\\"usage\\\":1}\"}],\"usage\":{\"input_tokens\":12,\"output_tokens\":3,"
                + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":2}}";
        UsageMeter meter = UsageMeter.forContentType("application/json");
        byte[] b = bytes(body);
        meter.feed(Arrays.copyOfRange(b, 0, 10));
        meter.feed(Arrays.copyOfRange(b, 10, b.length));
        assertEquals(new ResponseUsage("claude-haiku-4-5", 12, 3, 0, 2), meter.usage());
        assertFalse(meter.overflowed());
    }

    @Test
    void countTokensAndErrorsReportNoUsage() {
        UsageMeter count = UsageMeter.forContentType("application/json");
        count.feed(bytes("{\"input_tokens\":120}"));
        assertFalse(count.usage().reported());
        UsageMeter broken = UsageMeter.forContentType("application/json");
        broken.feed(bytes("not json"));
        assertFalse(broken.usage().reported());
        assertNull(UsageMeter.forContentType("text/html"));
        assertNull(UsageMeter.forContentType(null));
    }

    @Test
    void aJsonBodyTooLargeToReadIsForwardedButNotMetered() {
        UsageMeter meter = UsageMeter.forContentType("application/json");
        meter.feed(new byte[UsageMeter.MAX_JSON]);
        meter.feed(bytes("{\"usage\":{\"input_tokens\":1}}"));
        assertTrue(meter.overflowed());
        assertFalse(meter.usage().reported());
    }

    @Test
    void pricesFollowTheModel() {
        ResponseUsage u = new ResponseUsage("claude-sonnet-4-5", 120, 30, 10, 5);
        // the CLI 2.1.330 reports 0.000849 for this usage of claude-sonnet-4-5
        assertEquals(0.000849, ModelPrices.costUsd(u), 1e-12);
        assertEquals(0.000283, ModelPrices.costUsd(new ResponseUsage("claude-haiku-4-5", 120, 30, 10, 5)), 1e-12);
        assertEquals(0.001415, ModelPrices.costUsd(new ResponseUsage("claude-opus-4-5", 120, 30, 10, 5)), 1e-12);
        assertEquals(ModelPrices.UNKNOWN_INPUT_PER_MILLION, ModelPrices.inputPerMillion("who-knows"));
        assertEquals(0, ModelPrices.costUsd(ResponseUsage.NONE));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
