package dev.sessionops.claude.message;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.sessionops.claude.queue.MessageQueue;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.events.RunLog;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.HistoryStoreUnavailableException;
import dev.sessionops.claude.history.Recorded;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.message.MessageObservation.FinishedRun;
import dev.sessionops.claude.message.MessageObservation.PlanCheck;
import dev.sessionops.claude.message.MessageObservation.Redis;
import dev.sessionops.claude.message.MessageObservation.Session;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/** Gathers a {@link MessageObservation}: caches now, everything that costs a request only when asked. */
final class MessageObserver {
    private final RunPlanner planner;
    private final HistoryStore history;
    private final JobLogs logs;

    private final Duration pendingTimeout;

    private final EventFollower liveEvents;
    private final RunSlots slots;

    /** The messages naming a session, from the message cache's index (null until the reconciler has its cache). */
    private final Supplier<Function<ClaudeSession, List<ClaudeMessage>>> sessionMessages;

    MessageObserver(RunPlanner planner, HistoryStore history, JobLogs logs, EventFollower liveEvents,
            Duration pendingTimeout, RunSlots slots, Supplier<Function<ClaudeSession, List<ClaudeMessage>>> sessionMessages) {
        this.sessionMessages = sessionMessages;
        this.liveEvents = liveEvents;
        this.slots = slots;
        this.pendingTimeout = pendingTimeout;
        this.planner = planner;
        this.history = history;
        this.logs = logs;
    }

    MessageObservation observe(ClaudeMessage message, ClaudeSession session, Context<ClaudeMessage> context) {
        var status = message.getStatus();
        String sessionName = message.getSpec().getSessionRef() == null ? null : message.getSpec().getSessionRef().getName();
        Session sessionFact = sessionName == null ? Session.ONE_SHOT
                : session == null ? Session.MISSING
                : Boolean.TRUE.equals(session.getSpec().getSuspend()) ? Session.SUSPENDED
                : startsNow(message, session) ? Session.STARTS_IT : Session.ACTIVE;
        // The cache alone: a one-shot's Job is created into it, a session's Job is adopted from its event, and a new
        // leader starts from a full LIST; so a status naming a Job the cache lacks means the Job was deleted.
        // Only the Job the message controls is its run (RunJobs): another naming it among its owners is never read.
        Job job = RunJobs.of(message, context.getSecondaryResources(Job.class)).orElse(null);
        // a session's message is owned by its session before its run can finish; not owned: nothing was recorded
        Optional<ConversationKey> key = ConversationKey.of(message);
        var condition = Conditions.find(status.getConditions(), ClaudeMessageReconciler.SUCCEEDED);
        Job seen = job;
        return new MessageObservation(status.getPhase(), condition.map(c -> c.getReason()).orElse(null),
                condition.map(c -> c.getMessage()).orElse(null), status.getJobName(), status.getPendingRecord(),
                Boolean.TRUE.equals(message.getSpec().getCancel()), job, liveEvents.modelApi(message).orElse(null),
                liveEvents.podWaiting(message).orElse(null),
                sessionFact, sessionName,
                memo(() -> plan(message, session)),
                memo(() -> redis(() -> key.flatMap(history::currentSessionId).orElse(null))),
                memo(() -> redis(() -> key.map(k -> history.recorded(k, message.getMetadata().getUid())).orElse(Recorded.NO))),
                memo(() -> {
                    // as the follower read it to its end (no request), else read from the pod
                    Optional<RunLog> log = seen == null ? Optional.empty()
                            : liveEvents.finishedLog(message, seen).or(() -> logs.read(seen));
                    if (log.isPresent()) {
                        return new FinishedRun(log.get());
                    }
                    // the pod (and its log) gone: what the live events captured of the run
                    boolean settling = liveEvents.isFollowing(message);
                    return new FinishedRun(liveEvents.recordedLog(message).orElse(null), settling);
                }),
                waitReason -> Duration.between(Waiting.since(message, waitReason), Instant.now()),
                pendingTimeout,
                memo(() -> slots.acquire(new RunSlots.Candidate(message.getMetadata().getNamespace(),
                        message.getMetadata().getName(), false, message.getMetadata().getUid()))));
    }

    /** Only for a message never reconciled, the one case it changes anything; the cache's index, no request. */
    private boolean startsNow(ClaudeMessage message, ClaudeSession session) {
        var messages = sessionMessages.get();
        return message.getStatus().getPhase() == null && messages != null
                && MessageQueue.startsNow(session, message, messages.apply(session));
    }

        private PlanCheck plan(ClaudeMessage message, ClaudeSession session) {
        try {
            return PlanCheck.ok(planner.plan(message, session));
        } catch (MessageProblem p) {
            return PlanCheck.problem(p);
        }
    }

    private static <T> Redis<T> redis(Supplier<T> read) {
        try {
            return Redis.of(read.get());
        } catch (HistoryStoreUnavailableException e) {
            return Redis.down(e.getMessage());
        }
    }

    /** Asked at most once, whichever branch asks. */
    private static <T> Supplier<T> memo(Supplier<T> supplier) {
        return new Supplier<>() {
            private boolean done;
            private T value;

            @Override
            public T get() {
                if (!done) {
                    value = supplier.get();
                    done = true;
                }
                return value;
            }
        };
    }
}
