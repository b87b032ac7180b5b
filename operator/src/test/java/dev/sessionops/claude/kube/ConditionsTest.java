package dev.sessionops.claude.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;

class ConditionsTest {

    private static final String LONG_AGO = "2020-01-01T00:00:00Z";

    @Test
    void aHugeMessageIsCutToOneKibibyteWithAnEllipsis() {
        List<Condition> conditions = new ArrayList<>();
        String stderr = "x".repeat(2 * 1024 * 1024); // a 2 MB stderr line
        Conditions.set(conditions, "Succeeded", Conditions.FALSE, "CliError", stderr, 1L);
        String written = conditions.get(0).getMessage();
        assertEquals(Conditions.MAX_MESSAGE, written.length());
        assertTrue(written.endsWith("…"));
        assertEquals("short", Conditions.cap("short"));
        assertEquals("", Conditions.cap(null));
        // never half a surrogate pair
        String emoji = "a".repeat(Conditions.MAX_MESSAGE - 2) + "\uD83D\uDE00" + "tail";
        String cut = Conditions.cap(emoji);
        assertTrue(cut.length() <= Conditions.MAX_MESSAGE);
        assertFalse(Character.isHighSurrogate(cut.charAt(cut.length() - 2)), cut.substring(cut.length() - 3));
    }

    @Test
    void addsANewConditionWithATransitionTimeOfNow() {
        List<Condition> conditions = new ArrayList<>();
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        assertTrue(Conditions.set(conditions, "Ready", Conditions.TRUE, "Ready", "all good", 3L));
        Instant after = Instant.now();

        assertEquals(1, conditions.size());
        Condition c = conditions.get(0);
        assertEquals("Ready", c.getType());
        assertEquals("True", c.getStatus());
        assertEquals("Ready", c.getReason());
        assertEquals("all good", c.getMessage());
        assertEquals(3L, c.getObservedGeneration());
        Instant at = Instant.parse(c.getLastTransitionTime());
        assertFalse(at.isBefore(before) || at.isAfter(after), c.getLastTransitionTime());
    }

    @Test
    void transitionTimeHasSecondPrecision() {
        List<Condition> conditions = new ArrayList<>();
        Conditions.set(conditions, "Ready", Conditions.TRUE, "Ready", "ok", null);
        String time = conditions.get(0).getLastTransitionTime();
        assertTrue(time.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), time);
    }

    @Test
    void keepsOneConditionPerType() {
        List<Condition> conditions = new ArrayList<>();
        Conditions.set(conditions, "Ready", Conditions.FALSE, "Waiting", "not yet", 1L);
        Conditions.set(conditions, "Succeeded", Conditions.UNKNOWN, "JobCreated", "running", 1L);
        Conditions.set(conditions, "Ready", Conditions.TRUE, "Ready", "now", 1L);
        assertEquals(List.of("Ready", "Succeeded"), conditions.stream().map(Condition::getType).toList());
        assertEquals("True", Conditions.find(conditions, "Ready").orElseThrow().getStatus());
    }

    @Test
    void nothingChangedReturnsFalseAndKeepsTheCondition() {
        List<Condition> conditions = existing("Succeeded", Conditions.UNKNOWN, "Queued", "waiting for 1", 2L);
        assertFalse(Conditions.set(conditions, "Succeeded", Conditions.UNKNOWN, "Queued", "waiting for 1", 2L));
        assertEquals(LONG_AGO, conditions.get(0).getLastTransitionTime());
    }

    @Test
    void newReasonAndMessageWithTheSameStatusKeepTheTransitionTime() {
        List<Condition> conditions = existing("Succeeded", Conditions.UNKNOWN, "Queued", "waiting for 2", 2L);
        assertTrue(Conditions.set(conditions, "Succeeded", Conditions.UNKNOWN, "JobCreated", "running as Job j", 2L));
        Condition c = conditions.get(0);
        assertEquals("JobCreated", c.getReason());
        assertEquals("running as Job j", c.getMessage());
        assertEquals(LONG_AGO, c.getLastTransitionTime());
    }

    @Test
    void aFlippedStatusMovesTheTransitionTime() {
        List<Condition> conditions = existing("Succeeded", Conditions.UNKNOWN, "JobCreated", "running", 2L);
        assertTrue(Conditions.set(conditions, "Succeeded", Conditions.TRUE, "Succeeded", "done", 2L));
        Condition c = conditions.get(0);
        assertEquals("True", c.getStatus());
        assertEquals("Succeeded", c.getReason());
        assertNotEquals(LONG_AGO, c.getLastTransitionTime());
        assertTrue(Instant.parse(c.getLastTransitionTime()).isAfter(Instant.parse(LONG_AGO)));
    }

    @Test
    void aNewObservedGenerationAloneIsAChangeButNoTransition() {
        List<Condition> conditions = existing("Ready", Conditions.TRUE, "Ready", "ok", 1L);
        assertTrue(Conditions.set(conditions, "Ready", Conditions.TRUE, "Ready", "ok", 2L));
        assertEquals(2L, conditions.get(0).getObservedGeneration());
        assertEquals(LONG_AGO, conditions.get(0).getLastTransitionTime());
    }

    @Test
    void observedGenerationMayBeUnset() {
        List<Condition> conditions = existing("Ready", Conditions.TRUE, "Ready", "ok", null);
        assertFalse(Conditions.set(conditions, "Ready", Conditions.TRUE, "Ready", "ok", null));
        assertTrue(Conditions.set(conditions, "Ready", Conditions.TRUE, "Ready", "ok", 1L));
        assertEquals(1L, conditions.get(0).getObservedGeneration());
    }

    @Test
    void findAndRemoveByType() {
        List<Condition> conditions = existing("Ready", Conditions.TRUE, "Ready", "ok", 1L);
        assertTrue(Conditions.find(conditions, "Ready").isPresent());
        assertTrue(Conditions.find(conditions, "Succeeded").isEmpty());
        assertTrue(Conditions.find(null, "Ready").isEmpty());
        Conditions.remove(conditions, "Ready");
        assertTrue(conditions.isEmpty());
    }

    private static List<Condition> existing(String type, String status, String reason, String message, Long generation) {
        Condition c = new Condition();
        c.setType(type);
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        c.setObservedGeneration(generation);
        c.setLastTransitionTime(LONG_AGO);
        return new ArrayList<>(List.of(c));
    }
}
