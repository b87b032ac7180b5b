package dev.sessionops.claude.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class StreamJsonLineTest {

    @Test
    void theTypeOfAStreamJsonLineNamesTheEvent() {
        assertEquals(Optional.of("system"), StreamJsonLine.type("{\"type\":\"system\",\"subtype\":\"init\"}"));
        assertEquals(Optional.of("result"), StreamJsonLine.type("  {\"type\":\"result\",\"is_error\":false}  "));
        assertEquals(Optional.of("stream_event"), StreamJsonLine.type("{\"type\":\"stream_event\"}"));
    }

    @Test
    void otherLinesAreNotEvents() {
        for (String line : List.of("", "Error: something on stderr", "[1,2]", "{\"no\":\"type\"}", "{\"type\":3}",
                "{\"type\":\"\"}", "{\"type\":\"two\\nlines\"}", "{\"type\":\"a b\"}", "{broken json")) {
            assertEquals(Optional.empty(), StreamJsonLine.type(line), line);
        }
    }

    @Test
    void everyLineOfARecordedRunIsAnEventAndItEndsWithTheResult() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/stream-json/text.jsonl")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            List<String> types = lines.stream().map(l -> StreamJsonLine.type(l).orElseThrow()).toList();
            assertEquals("system", types.get(0));
            assertEquals(StreamJsonLine.RESULT, types.get(types.size() - 1));
        }
    }
}
