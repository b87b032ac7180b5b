package dev.sessionops.claude.message;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.PendingRecord;
import dev.sessionops.claude.cli.ModelApiRetries;
import dev.sessionops.claude.events.PodWaiting;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.cli.RunOutcome;
import dev.sessionops.claude.events.RunLog;
import dev.sessionops.claude.history.Recorded;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * What the message reconciler knows when {@link MessageTransition#next} decides. The cheap facts are values; the
 * ones that cost a request (the planner's GETs, Redis, the pod log) are suppliers that {@code next} calls only on
 * the branch that needs them, so a running message reads nothing but caches. Tests pass constants.
 *
 * @param phase the message's phase now (null: never reconciled)
 * @param reason the reason of its Succeeded condition now (null: none)
 * @param conditionText the message of its Succeeded condition now (null: none)
 * @param jobName the Job its status names (null: none yet)
 * @param pending a finished run its status holds until Redis records it (null: none)
 * @param cancel spec.cancel: the user asked for it not to run (on)
 * @param job its Job, from the cache (null: none)
 * @param modelApi the model API's retries in its run, as the live events show them so far (null: none seen)
 * @param podWaiting why the kubelet cannot start its run's pod (null: it can, or not seen)
 * @param session its session as the cache shows it
 * @param sessionName the session it names (null: a one-shot message)
 * @param plan the planner's verdict on its inputs
 * @param resumeFrom the Claude session id the run resumes (Redis)
 * @param recorded whether the history already holds its run, and how it ended (Redis)
 * @param run the finished Job's log and what the CLI wrote in it
 * @param waitedFor how long the message has waited for a reason (zero: it does not wait for that one yet)
 * @param pendingTimeout how long a one-shot message may wait for its inputs (cso.pending-timeout)
 * @param slot a run slot for a one-shot message, or its place in line (asking takes a free one: ask last)
 */
public record MessageObservation(MessagePhase phase, String reason, String conditionText, String jobName,
        PendingRecord pending, boolean cancel, Job job, ModelApiRetries modelApi, PodWaiting podWaiting,
        Session session, String sessionName, Supplier<PlanCheck> plan,
        Supplier<Redis<String>> resumeFrom, Supplier<Redis<Recorded>> recorded, Supplier<FinishedRun> run,
        Function<String, Duration> waitedFor, Duration pendingTimeout, Supplier<RunSlots.Answer> slot) {

    /** The message's session, as far as running it is concerned. */
    public enum Session {
        /** No sessionRef: the message is its own conversation. */
        ONE_SHOT,
        MISSING,
        SUSPENDED,
        ACTIVE,
        /**
         * Active, and it starts this message as soon as it sees it ({@link dev.sessionops.claude.queue.MessageQueue#startsNow}): no "Queued"
         * status first, the Job's event brings the message Running.
         */
        STARTS_IT;

        /** The session runs its queue (it may start this message now or later). */
        public boolean active() {
            return this == ACTIVE || this == STARTS_IT;
        }
    }

    /** The planner's answer: a plan, or the problem that stops the message (waiting or invalid). */
    public record PlanCheck(RunPlanner.PlannedRun plan, MessageProblem problem) {
        public static PlanCheck ok(RunPlanner.PlannedRun plan) {
            return new PlanCheck(plan, null);
        }

        public static PlanCheck problem(MessageProblem problem) {
            return new PlanCheck(null, problem);
        }
    }

    /**
     * A finished run's log as read (null: no log, nor live events); {@code settling} when it comes from the live
     * events while they are still being written (the pod gone, its last lines on the way).
     */
    public record FinishedRun(RunLog log, boolean settling) {
        public FinishedRun(RunLog log) {
            this(log, false);
        }

        /** The CLI's outcome parsed from the log; null when there is none. */
        public RunOutcome outcome() {
            return log == null ? null : log.outcome();
        }
    }

    /** A Redis read: its value, or why Redis could not answer. */
    public record Redis<T>(T value, String unavailable) {
        public static <T> Redis<T> of(T value) {
            return new Redis<>(value, null);
        }

        public static <T> Redis<T> down(String error) {
            return new Redis<>(null, error);
        }

        public boolean isDown() {
            return unavailable != null;
        }
    }
}
