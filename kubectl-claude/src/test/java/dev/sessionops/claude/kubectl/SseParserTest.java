package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SseParserTest {

    private static List<SseEvent> parse(String stream) {
        SseParser p = new SseParser();
        List<SseEvent> events = new ArrayList<>();
        stream.lines().forEach(l -> p.line(l).ifPresent(events::add));
        p.end().ifPresent(events::add);
        return events;
    }

    @Test
    void readsIdEventAndData() {
        List<SseEvent> events = parse("""
                : a comment
                id: 1700000000000-0
                event: assistant
                data: {"type":"assistant"}

                id: 1700000000000-1
                event: result
                data:{"type":"result"}

                """);
        assertEquals(List.of(new SseEvent("1700000000000-0", "assistant", "{\"type\":\"assistant\"}"),
                new SseEvent("1700000000000-1", "result", "{\"type\":\"result\"}")), events);
    }

    @Test
    void joinsDataLinesAndDefaultsTheType() {
        assertEquals(List.of(new SseEvent(null, "message", "a\nb")), parse("data: a\ndata: b\n\n"));
    }

    @Test
    void anEventCutAtTheEndStillCountsAndBlankEventsDoNot() {
        assertEquals(List.of(new SseEvent("7", "status", "{}")), parse("\n\nid: 7\nevent: status\ndata: {}"));
        assertTrue(parse("event: ping\n\n").isEmpty());
    }
}
