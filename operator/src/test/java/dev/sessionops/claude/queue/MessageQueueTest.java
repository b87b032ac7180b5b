package dev.sessionops.claude.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

public class MessageQueueTest {

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
    void aMessageCancelledBeforeItStartedIsNeverTheHeadButOneAlreadyRunningStaysIt() {
        ClaudeMessage cancelled = message("m1", T1, MessagePhase.Queued);
        cancelled.getSpec().setCancel(true);
        ClaudeMessage next = message("m2", T2, MessagePhase.Queued);
        assertEquals("m2", MessageQueue.head(List.of(cancelled, next)).orElseThrow().getMetadata().getName());

        ClaudeMessage stopping = message("m1", T1, MessagePhase.Running);
        stopping.getSpec().setCancel(true);
        assertEquals("m1", MessageQueue.head(List.of(stopping, next)).orElseThrow().getMetadata().getName(),
                "its run is being stopped: the next one waits for that");
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
        assertEquals(Optional.of(fresh), MessageQueue.head(List.of(later, fresh)));
    }

    @Test
    void aMessageWithStatusButNoPhaseIsUnfinished() {
        ClaudeMessage noPhase = message("m1", T1, null);
        ClaudeMessage later = message("m2", T2, null);
        assertEquals(Optional.of(noPhase), MessageQueue.head(List.of(later, noPhase)));
    }

    @Test
    void anEarlierPendingMessageIsTheHead() {
        ClaudeMessage earlier = message("m1", T1, MessagePhase.Pending);
        ClaudeMessage later = message("m2", T2, MessagePhase.Queued);
        assertEquals(Optional.of(earlier), MessageQueue.head(List.of(later, earlier)));
    }

    @Test
    void theNextMessageIsTheHeadOnceAnEarlierOneFailed() {
        ClaudeMessage failed = message("m1", T1, MessagePhase.Failed);
        ClaudeMessage next = message("m2", T2, MessagePhase.Queued);
        assertEquals(Optional.of(next), MessageQueue.head(List.of(failed, next)));
    }

    @Test
    void timestampTiesAreBrokenByName() {
        ClaudeMessage a = message("a", T1, MessagePhase.Queued);
        ClaudeMessage b = message("b", T1, MessagePhase.Queued);
        assertEquals(Optional.of(a), MessageQueue.head(List.of(b, a)));
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

    /** A ready, idle session starts the head of its queue as soon as it sees it; any doubt and it does not. */
    @Test
    void aReadyIdleSessionStartsItsHeadNow() {
        ClaudeMessage head = message("m1", T1, null);
        ClaudeMessage next = message("m2", T2, null);
        List<ClaudeMessage> queue = List.of(next, head);
        ClaudeSession session = session(null, "True");
        assertTrue(MessageQueue.startsNow(session, head, queue));
        assertFalse(MessageQueue.startsNow(session, next, queue), "behind another");
        assertTrue(MessageQueue.startsNow(session(head.getMetadata().getName(), "True"), head, queue), "claimed for it");
        assertFalse(MessageQueue.startsNow(session("m0", "True"), head, queue), "the turn is another's");
        assertFalse(MessageQueue.startsNow(session(null, "False"), head, queue), "not ready (a conflict, Redis down)");
        assertFalse(MessageQueue.startsNow(session(null, null), head, queue), "never reconciled");
        ClaudeSession suspended = session(null, "True");
        suspended.getSpec().setSuspend(true);
        assertFalse(MessageQueue.startsNow(suspended, head, queue), "suspended");
        ClaudeSession fresh = session(null, "True");
        fresh.setStatus(null);
        assertFalse(MessageQueue.startsNow(fresh, head, queue), "no status yet");
    }

    @Test
    void anEarlierSessionsMessageAheadInTheQueueDoesNotCount() {
        ClaudeMessage orphan = message("m0", T1, MessagePhase.Queued);
        orphan.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withKind(ClaudeSession.KIND).withName("chat").withUid("an-older-chat").build()));
        ClaudeMessage head = message("m1", T2, null);
        assertTrue(MessageQueue.startsNow(session(null, "True"), head, List.of(orphan, head)));
    }

    private static ClaudeSession session(String activeMessage, String ready) {
        ClaudeSession s = new ClaudeSession();
        s.setMetadata(new ObjectMetaBuilder().withName("chat").withNamespace("ns").withUid("chat-uid").build());
        s.setSpec(new ClaudeSessionSpec());
        ClaudeSessionStatus status = new ClaudeSessionStatus();
        status.setActiveMessage(activeMessage);
        status.setConditions(ready == null ? new ArrayList<>() : new ArrayList<>(List.of(new ConditionBuilder()
                .withType("Ready").withStatus(ready).build())));
        s.setStatus(status);
        return s;
    }

    public static ClaudeMessage message(String name, String created, MessagePhase phase) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withUid("uid-" + name)
                .withCreationTimestamp(created).build());
        m.setSpec(new dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec());
        ClaudeMessageStatus status = new ClaudeMessageStatus();
        status.setPhase(phase);
        m.setStatus(status);
        return m;
    }

    private static List<String> names(List<ClaudeMessage> messages) {
        return messages.stream().map(m -> m.getMetadata().getName()).toList();
    }
}
