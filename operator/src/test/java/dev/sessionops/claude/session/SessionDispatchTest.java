package dev.sessionops.claude.session;

import static dev.sessionops.claude.queue.MessageQueueTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.sessionops.claude.queue.MessageQueue;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

/** Which message a session starts, from its caches alone: plain JUnit on {@link SessionDispatch#next}. */
class SessionDispatchTest {
    private static final String T1 = "2026-01-01T10:00:00Z";
    private static final String T2 = "2026-01-01T10:00:01Z";
    private static final String T3 = "2026-01-01T10:00:02Z";

    private static ClaudeMessage m(String name, String created, MessagePhase phase) {
        ClaudeMessage m = message(name, created, phase);
        m.getMetadata().setUid("uid-" + name);
        return m;
    }

    /** The Job of message {@code name}; {@code condition} null: still running. */
    private static Job job(String name, String condition) {
        JobBuilder b = new JobBuilder().withNewMetadata().withName(name + "-job").addNewOwnerReference()
                .withName(name).withUid("uid-" + name).withKind("ClaudeMessage").endOwnerReference().endMetadata();
        if (condition != null) {
            b.withNewStatus().addNewCondition().withType(condition).withStatus("True").endCondition().endStatus();
        }
        return b.build();
    }

    /** edge, suspended, the claim (status.activeMessage), the session's messages, its Jobs, the message to start (null: hold). */
    static Stream<Arguments> edges() {
        ClaudeMessage fresh = m("m1", T1, null);
        fresh.setStatus(null);
        return Stream.of(
                Arguments.of("no messages", false, null, List.of(), List.of(), null),
                Arguments.of("all finished", false, null, List.of(m("m1", T1, MessagePhase.Succeeded), m("m2", T2, MessagePhase.Failed)),
                        List.of(job("m1", "Complete"), job("m2", "Failed")), null),
                Arguments.of("the head of a fresh queue starts, validated or not", false, null,
                        List.of(m("m2", T2, MessagePhase.Queued), fresh), List.of(), "m1"),
                Arguments.of("the queued head starts", false, null, List.of(m("m1", T1, MessagePhase.Succeeded),
                        m("m2", T2, MessagePhase.Queued), m("m3", T3, MessagePhase.Queued)), List.of(job("m1", "Complete")), "m2"),
                Arguments.of("a pending head is planned again (its inputs may be back)", false, null,
                        List.of(m("m1", T1, MessagePhase.Pending), m("m2", T2, MessagePhase.Queued)), List.of(), "m1"),
                Arguments.of("after a failure the next one starts", false, null,
                        List.of(m("m1", T1, MessagePhase.Failed), m("m2", T2, MessagePhase.Queued)), List.of(job("m1", "Failed")), "m2"),
                Arguments.of("suspended", true, null, List.of(m("m1", T1, MessagePhase.Queued)), List.of(), null),
                Arguments.of("a Job runs", false, null, List.of(m("m1", T1, MessagePhase.Running), m("m2", T2, MessagePhase.Queued)),
                        List.of(job("m1", null)), null),
                Arguments.of("just created: the Job is in the cache, the message not yet Running", false, null,
                        List.of(m("m1", T1, MessagePhase.Queued), m("m2", T2, MessagePhase.Queued)), List.of(job("m1", null)), null),
                Arguments.of("a later message's Job runs (it reached the cache first): even the head waits", false, null,
                        List.of(m("a", T1, MessagePhase.Queued), m("b", T1, MessagePhase.Queued)), List.of(job("b", null)), null),
                Arguments.of("the head's run finished, its outcome not yet recorded", false, null,
                        List.of(m("m1", T1, MessagePhase.Running), m("m2", T2, MessagePhase.Queued)), List.of(job("m1", "Complete")),
                        null),
                Arguments.of("a message runs without a Job in the cache (deleted): its reconciler cancels it first", false, null,
                        List.of(m("a", T1, MessagePhase.Queued), m("b", T1, MessagePhase.Running)), List.of(), null),
                Arguments.of("a lost status write: the head Queued, its Job finished", false, null,
                        List.of(m("m1", T1, MessagePhase.Queued)), List.of(job("m1", "Complete")), null),
                Arguments.of("the turn is claimed by a later message (an earlier one appeared after the claim): it keeps it",
                        false, "m2", List.of(m("m1", T1, MessagePhase.Queued), m("m2", T2, MessagePhase.Queued)), List.of(), null),
                Arguments.of("the claimed head whose Job create was lost starts (again: the name makes it the same run)",
                        false, "m1", List.of(m("m1", T1, MessagePhase.Queued), m("m2", T2, MessagePhase.Queued)), List.of(), "m1"),
                Arguments.of("a claim by a finished message is free", false, "m1",
                        List.of(m("m1", T1, MessagePhase.Succeeded), m("m2", T2, MessagePhase.Queued)), List.of(), "m2"),
                Arguments.of("a claim by a deleted message is free", false, "gone",
                        List.of(m("m2", T2, MessagePhase.Queued)), List.of(), "m2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edges")
    void edge(String edge, boolean suspended, String claim, List<ClaudeMessage> messages, List<Job> jobs, String start) {
        SessionDispatch.Decision d = SessionDispatch.next(suspended, claim, messages, jobs);
        if (start == null) {
            assertNull(d.start(), edge);
        } else {
            assertEquals(start, d.start().getMetadata().getName(), edge);
            assertNull(d.hold(), edge);
        }
    }
}
