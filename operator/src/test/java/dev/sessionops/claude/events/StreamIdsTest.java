package dev.sessionops.claude.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class StreamIdsTest {

    @Test
    void theNextIdIsTheSmallestAfterTheGivenOne() {
        assertEquals("1700000000000-1", StreamIds.after("1700000000000-0"));
        assertEquals("5-10", StreamIds.after("5-9"));
        assertEquals("6-0", StreamIds.after("5-" + Long.MAX_VALUE));
    }

    @Test
    void onlyStreamIdsAreAcceptedAsLastEventId() {
        assertTrue(StreamIds.isValid("1700000000000-0"));
        for (String bad : List.of("", "-", "+", "1700000000000", "1-2-3", "a-1", "1-", " 1-2", "99999999999999999999-0")) {
            assertFalse(StreamIds.isValid(bad), bad);
        }
        assertFalse(StreamIds.isValid(null));
        assertThrows(IllegalArgumentException.class, () -> StreamIds.after("nope"));
    }

    @Test
    void idsCompareByTimeThenSequenceAndNullIsBeforeEverything() {
        assertTrue(StreamIds.compare("5-9", "5-10") < 0);
        assertTrue(StreamIds.compare("6-0", "5-" + Long.MAX_VALUE) > 0);
        assertEquals(0, StreamIds.compare("1700000000000-3", "1700000000000-3"));
        assertTrue(StreamIds.compare(null, "0-0") < 0);
        assertTrue(StreamIds.compare("0-0", null) > 0);
        assertEquals(0, StreamIds.compare(null, null));
        assertThrows(IllegalArgumentException.class, () -> StreamIds.compare("x", "1-1"));
    }
}
