package dev.sessionops.claude.session;

import java.util.List;
import java.util.Optional;

import dev.sessionops.claude.queue.MessageQueue;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.message.JobState;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * Which message of a session starts now, as a pure function of the session's caches (its messages and its Jobs),
 * table-tested in {@code SessionDispatchTest}. Why this is enough for one run at a time: {@link SessionDispatcher}.
 */
public final class SessionDispatch {

    /** Start this message's Job, or hold (why, for the log and the tests). */
    public record Decision(ClaudeMessage start, String hold) {
        static Decision hold(String why) {
            return new Decision(null, why);
        }
    }

    private SessionDispatch() {
    }

    /**
     * @param claim the message whose turn the session's status holds ({@code status.activeMessage}; null: none)
     */
    public static Decision next(boolean suspended, String claim, List<ClaudeMessage> messages, List<Job> jobs) {
        Optional<ClaudeMessage> head = MessageQueue.head(messages);
        if (head.isEmpty()) {
            return Decision.hold("no message waits");
        }
        if (suspended) {
            return Decision.hold("suspended");
        }
        // the lock: a claimed turn is the claimed message's until it ends, whatever the queue's order says now
        if (claim != null && !claim.equals(head.get().getMetadata().getName())
                && messages.stream().anyMatch(m -> claim.equals(m.getMetadata().getName()) && !MessageQueue.isTerminal(m))) {
            return Decision.hold(claim + " holds the session's turn");
        }
        Optional<Job> unfinished = jobs.stream().filter(j -> !JobState.of(j).finished()).findFirst();
        if (unfinished.isPresent()) {
            return Decision.hold("Job " + unfinished.get().getMetadata().getName() + " runs");
        }
        String headUid = head.get().getMetadata().getUid();
        if (jobs.stream().anyMatch(j -> j.getMetadata().getOwnerReferences().stream().anyMatch(o -> headUid.equals(o.getUid())))) {
            return Decision.hold("the run of " + head.get().getMetadata().getName() + " finished; its outcome is being recorded");
        }
        Optional<ClaudeMessage> running = MessageQueue.running(messages);
        if (running.isPresent()) {
            // its Job is not in the cache (deleted): its own reconciler cancels it first
            return Decision.hold(running.get().getMetadata().getName() + " is running");
        }
        return new Decision(head.get(), null);
    }
}
