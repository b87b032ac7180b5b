package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RunInputsTest {

    @Test
    void promptComesFromTheArgumentOrTheFile() throws Exception {
        assertEquals(new PromptInput("hi", false), PromptInput.of("hi", null));
        Path file = Files.createTempFile("prompt", ".md");
        try {
            Files.writeString(file, "---\nvariables: {who: world}\n---\nHello {who}");
            assertEquals(new PromptInput("---\nvariables: {who: world}\n---\nHello {who}", true), PromptInput.of(null, file));
            assertThrows(CliException.class, () -> PromptInput.of("hi", file));
        } finally {
            Files.delete(file);
        }
        assertThrows(CliException.class, () -> PromptInput.of(null, null));
    }

    @Test
    void generatedNamesCarryTheSessionTheTimeAndFourRandomCharacters() {
        Instant t = Instant.parse("2026-11-25T13:05:09Z");
        assertEquals("chat-20261125-130509-ab12", MessageNames.generate("chat", t, "ab12"));
        assertEquals("msg-20261125-130509-ab12", MessageNames.generate(null, t, "ab12"));
        String longName = MessageNames.generate("s".repeat(250), t, "ab12");
        assertEquals(253, longName.length());
        assertTrue(Environment.randomChars(4).matches("[a-z0-9]{4}"));
        assertEquals("m-prompt", RunCommand.configMapName("m"));
    }

    @Test
    void podLogLinesAreReadOnceAndOnlyWhole() throws Exception {
        List<String> lines = new ArrayList<>();
        // first read: two whole lines and half of a third
        long read = PodLogFollower.readLines(new StringReader("a\nb\n{\"type\":"), 0, false, lines::add);
        assertEquals(2, read);
        // the next read starts from the top again: the known lines are skipped, the third is now whole
        read = PodLogFollower.readLines(new StringReader("a\nb\n{\"type\":\"result\"}\nd"), read, false, lines::add);
        assertEquals(3, read);
        // the final read after the container ended takes a last line without its line break
        read = PodLogFollower.readLines(new StringReader("a\nb\n{\"type\":\"result\"}\nd"), read, true, lines::add);
        assertEquals(4, read);
        assertEquals(List.of("a", "b", "{\"type\":\"result\"}", "d"), lines);
    }
}
