package dev.sessionops.claude.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

class MessageQueueTest {

    private static final String T1 = "2026-01-01T10:00:00Z";
    private static final String T2 = "2026-01-01T10:00:01Z";
    private static final String T3 = "2026-01-01T10:00:02Z";

    @Test
    void ordersByCreationTimestampThenName() {
        ClaudeMessage late = message("a-late", T3, null);
        ClaudeMessage b = message("b", T1, null);
        ClaudeMessage a = message("a", T1, null);
        ClaudeMessage middle = message("z-middle", T2, null);
        List<ClaudeMessage> sorted = new ArrayList<>(List.of(late, b, a, middle));
        sorted.sort(MessageQueue.ORDER);
        assertEquals(List.of("a", "b", "z-middle", "a-late"), names(sorted));
    }

    @Test
    void timestampsCompareAcrossMinutesAndHoursNotByName() {
        ClaudeMessage ten = message("a", "2026-01-01T10:59:59Z", null);
        ClaudeMessage eleven = message("0", "2026-01-01T11:00:00Z", null);
        assertEquals(Optional.of(ten), MessageQueue.head(List.of(eleven, ten)));
    }

    @Test
    void headIsTheEarliestMessage() {
        ClaudeMessage first = message("first", T1, MessagePhase.Queued);
        ClaudeMessage second = message("second", T2, MessagePhase.Queued);
        assertEquals(Optional.of(first), MessageQueue.head(List.of(second, first)));
    }

    @Test
    void headSkipsSucceededFailedAndCancelledMessages() {
        List<ClaudeMessage> messages = List.of(
                message("m1", T1, MessagePhase.Succeeded),
                message("m2", T1, MessagePhase.Failed),
                message("m3", T2, MessagePhase.Cancelled),
                message("m4", T3, MessagePhase.Pending));
        assertEquals("m4", MessageQueue.head(messages).orElseThrow().getMetadata().getName());
    }

    @Test
    void noHeadWhenEveryMessageIsFinished() {
        List<ClaudeMessage> messages = List.of(
                message("m1", T1, MessagePhase.Succeeded), message("m2", T2, MessagePhase.Failed));
        assertEquals(Optional.empty(), MessageQueue.head(messages));
        assertEquals(Optional.empty(), MessageQueue.head(List.of()));
    }

    @Test
    void aRunningMessageIsStillTheHead() {
        ClaudeMessage running = message("m1", T1, MessagePhase.Running);
        ClaudeMessage queued = message("m2", T2, MessagePhase.Queued);
        assertEquals(Optional.of(running), MessageQueue.head(List.of(queued, running)));
    }

    @Test
    void aMessageWithoutStatusIsUnfinishedAndBlocksLaterOnes() {
        ClaudeMessage fresh = message("m1", T1, null);
        fresh.setStatus(null);
        ClaudeMessage later = message("m2", T2, MessagePhase.Queued);
        List<ClaudeMessage> messages = List.of(later, fresh);
        assertEquals(Optional.of(fresh), MessageQueue.head(messages));
        assertTrue(MessageQueue.mayRun(fresh, messages));
        assertFalse(MessageQueue.mayRun(later, messages));
        assertEquals(1, MessageQueue.position(later, messages));
    }

    @Test
    void aMessageWithStatusButNoPhaseIsUnfinished() {
        ClaudeMessage noPhase = message("m1", T1, null);
        ClaudeMessage later = message("m2", T2, null);
        assertFalse(MessageQueue.mayRun(later, List.of(noPhase, later)));
    }

    @Test
    void theHeadMayRun() {
        ClaudeMessage head = message("m2", T2, MessagePhase.Queued);
        List<ClaudeMessage> messages = List.of(message("m1", T1, MessagePhase.Succeeded), head,
                message("m3", T3, MessagePhase.Queued));
        assertTrue(MessageQueue.mayRun(head, messages));
    }

    @Test
    void aMessageMayNotRunWhileAnEarlierOneIsUnfinished() {
        ClaudeMessage earlier = message("m1", T1, MessagePhase.Pending);
        ClaudeMessage later = message("m2", T2, MessagePhase.Queued);
        assertFalse(MessageQueue.mayRun(later, List.of(earlier, later)));
    }

    @Test
    void aMessageMayRunAfterAnEarlierOneFailed() {
        ClaudeMessage failed = message("m1", T1, MessagePhase.Failed);
        ClaudeMessage next = message("m2", T2, MessagePhase.Queued);
        assertTrue(MessageQueue.mayRun(next, List.of(failed, next)));
    }

    @Test
    void theHeadMayNotRunWhileAnotherMessageOfTheSessionIsRunning() {
        // "b" started before "a" reached the cache: the one running blocks even the head
        ClaudeMessage head = message("a", T1, MessagePhase.Queued);
        ClaudeMessage running = message("b", T1, MessagePhase.Running);
        assertFalse(MessageQueue.mayRun(head, List.of(head, running)));
    }

    @Test
    void theRunningMessageItselfMayGoOnRunning() {
        ClaudeMessage running = message("m1", T1, MessagePhase.Running);
        List<ClaudeMessage> messages = List.of(running, message("m2", T2, MessagePhase.Queued));
        assertTrue(MessageQueue.mayRun(running, messages));
    }

    @Test
    void aFinishedMessageMayNotRunAgain() {
        ClaudeMessage done = message("m1", T1, MessagePhase.Succeeded);
        List<ClaudeMessage> messages = List.of(done, message("m2", T2, MessagePhase.Queued));
        assertFalse(MessageQueue.mayRun(done, messages));
    }

    @Test
    void aMessageOfTheSameNameInAnotherNamespaceIsAnotherMessage() {
        ClaudeMessage here = message("m1", T1, MessagePhase.Queued);
        ClaudeMessage elsewhere = message("m1", T1, MessagePhase.Running);
        elsewhere.getMetadata().setNamespace("other");
        assertFalse(MessageQueue.mayRun(here, List.of(here, elsewhere)));
    }

    @Test
    void positionCountsUnfinishedMessagesAhead() {
        ClaudeMessage running = message("m1", T1, MessagePhase.Running);
        ClaudeMessage queued = message("m2", T2, MessagePhase.Queued);
        ClaudeMessage last = message("m4", T3, MessagePhase.Queued);
        List<ClaudeMessage> messages = List.of(last, message("m0", T1, MessagePhase.Succeeded), running,
                message("m3", T2, MessagePhase.Cancelled), queued);
        assertEquals(0, MessageQueue.position(running, messages));
        assertEquals(1, MessageQueue.position(queued, messages));
        assertEquals(2, MessageQueue.position(last, messages));
    }

    @Test
    void positionBreaksTimestampTiesByName() {
        ClaudeMessage a = message("a", T1, MessagePhase.Queued);
        ClaudeMessage b = message("b", T1, MessagePhase.Queued);
        List<ClaudeMessage> messages = List.of(b, a);
        assertEquals(0, MessageQueue.position(a, messages));
        assertEquals(1, MessageQueue.position(b, messages));
    }

    @Test
    void runningFindsTheRunningMessage() {
        ClaudeMessage running = message("m2", T2, MessagePhase.Running);
        List<ClaudeMessage> messages = List.of(message("m1", T1, MessagePhase.Succeeded), running,
                message("m3", T3, MessagePhase.Queued));
        assertEquals(Optional.of(running), MessageQueue.running(messages));
        assertEquals(Optional.empty(), MessageQueue.running(List.of(message("m3", T3, MessagePhase.Queued))));
    }

    @Test
    void waitingCountsMessagesNeitherRunningNorFinished() {
        ClaudeMessage fresh = message("m6", T3, null);
        fresh.setStatus(null);
        List<ClaudeMessage> messages = List.of(message("m0", T1, MessagePhase.Succeeded),
                message("m1", T1, MessagePhase.Failed), message("m2", T1, MessagePhase.Cancelled),
                message("m3", T2, MessagePhase.Running), message("m4", T2, MessagePhase.Queued),
                message("m5", T3, MessagePhase.Pending), fresh, message("m7", T3, null));
        assertEquals(4, MessageQueue.waiting(messages));
        assertEquals(0, MessageQueue.waiting(List.of(message("m3", T2, MessagePhase.Running))));
        assertEquals(0, MessageQueue.waiting(List.of()));
    }

    private static ClaudeMessage message(String name, String created, MessagePhase phase) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withCreationTimestamp(created).build());
        ClaudeMessageStatus status = new ClaudeMessageStatus();
        status.setPhase(phase);
        m.setStatus(status);
        return m;
    }

    private static List<String> names(List<ClaudeMessage> messages) {
        return messages.stream().map(m -> m.getMetadata().getName()).toList();
    }
}
