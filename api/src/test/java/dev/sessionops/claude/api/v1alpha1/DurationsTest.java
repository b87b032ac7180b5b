package dev.sessionops.claude.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
            "90s, 90",
            "30m, 1800",
            "1h, 3600",
            "1h30m, 5400",
            "1h30m15s, 5415",
            "2m500ms, 121",
            "500ms, 1",
            "1ms, 1",
            "1000ms, 1",
            "1001ms, 2",
            "1h1h, 7200",
            "007s, 7",
    })
    void parsesDurations(String text, long seconds) {
        assertEquals(seconds, Durations.parseSeconds(text));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"30", "m", "1d", "1.5h", "-5m", "1h 30m", " 30m", "30M", "1hm", "0s", "0h0m",
            "99999999999999999999h", "9999999999999999h"})
    void rejectsBadDurations(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parseSeconds(text));
        assertTrue(e.getMessage().contains("duration"), e.getMessage());
    }
}
