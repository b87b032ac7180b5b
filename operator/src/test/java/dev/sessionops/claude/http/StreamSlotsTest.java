package dev.sessionops.claude.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class StreamSlotsTest {

    @Test
    void aUserGetsAtMostItsShareAndAGivenBackSlotIsUsableAgain() {
        StreamSlots slots = new StreamSlots(100, 3);
        List<StreamSlots.Slot> alice = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            alice.add(slots.acquire("alice"));
        }
        ApiException refused = assertThrows(ApiException.class, () -> slots.acquire("alice"));
        assertEquals(429, refused.status());
        assertEquals(StreamSlots.RETRY_AFTER_SECONDS, refused.retryAfterSeconds());
        assertEquals("TooManyRequests", refused.toError().reason());
        assertTrue(refused.getMessage().contains("user \"alice\" has 3 event streams open"), refused.getMessage());
        assertTrue(refused.getMessage().contains("cso.api.events.max-streams-per-user"), refused.getMessage());

        StreamSlots.Slot bob = slots.acquire("bob"); // another user is not affected
        assertEquals(4, slots.inUse());

        alice.get(0).release();
        alice.get(0).release(); // given back once only
        assertEquals(2, slots.inUse("alice"));
        assertEquals(3, slots.inUse());
        alice.set(0, slots.acquire("alice"));
        assertThrows(ApiException.class, () -> slots.acquire("alice"));

        alice.forEach(StreamSlots.Slot::release);
        bob.release();
        assertEquals(0, slots.inUse());
        assertEquals(0, slots.inUse("alice"));
    }

    @Test
    void allUsersTogetherGetAtMostTheTotal() {
        StreamSlots slots = new StreamSlots(3, 2);
        StreamSlots.Slot a = slots.acquire("a");
        slots.acquire("b");
        slots.acquire("c");
        ApiException refused = assertThrows(ApiException.class, () -> slots.acquire("d"));
        assertEquals(429, refused.status());
        assertTrue(refused.getMessage().contains("cso.api.events.max-streams)"), refused.getMessage());
        a.release();
        slots.acquire("d");
        assertEquals(3, slots.inUse());
    }

    @Test
    void limitsBelowOneAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new StreamSlots(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new StreamSlots(1, 0));
    }
}
