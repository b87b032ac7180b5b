package dev.sessionops.claude.message;

import java.time.Duration;

import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** What {@link MessageTransition#next} decided; {@link MessageEffects} carries it out. */
public sealed interface MessageAction {

    /** A finished message: nothing to do, ever. */
    record Nothing() implements MessageAction {
    }

    /** A finished message whose Job is still there: its outcome is recorded, so the Job goes (TTL is the backstop). */
    record DeleteJob(Job job) implements MessageAction {
    }

    /** spec.cancel while its Job runs: the Job is deleted (its pod stopped); the message ends once it is gone. */
    record Interrupt(Job job) implements MessageAction {
    }

    /** Its Job runs and the status says so: follow the run's live events. */
    record Follow(Job job) implements MessageAction {
    }

    /**
     * Its Job runs and what its condition says of it changes: the CLI retries the model API ({@code RetryingModelApi},
     * with the retry to show), or the API answered again ({@code JobCreated}). {@code announce}: also an Event (the
     * run's first spell of retries).
     */
    record ReportRun(Job job, String reason, String text, boolean announce) implements MessageAction {
    }

    /** Its Job runs but the status does not say so (the write after creating it was lost): Running, from the Job. */
    record Adopt(Job job) implements MessageAction {
    }

    /** Not running yet: this phase and reason, looked at again after {@code recheck} (null: on the next event). */
    record Wait(MessagePhase phase, String reason, String text, Duration recheck) implements MessageAction {
    }

    /** Ends a message that never ran (or whose Job vanished): Failed or Cancelled. */
    record EndWithoutRun(MessagePhase phase, String reason, String text) implements MessageAction {
    }

    /** Creates its Job (a 409 is the same run, created before) and writes Running. */
    record CreateJob(RunPlanner.PlannedRun plan, String resumeFrom) implements MessageAction {
    }

    /**
     * The run finished (or its Job is gone), the status holds what recording it needs, but Redis cannot answer: say
     * so and retry. (A run found finished is parsed into the status when its recording fails: {@link Finish}.)
     */
    record AwaitHistory(String error) implements MessageAction {
    }

    /** Redis recorded the run but the status does not say so (its write was lost): the status, rebuilt from Redis. */
    record Restore(Job job, dev.sessionops.claude.history.Outcome outcome) implements MessageAction {
    }

    /** The Job is gone, the status holds the finished run Redis could not record before: record it now, then end. */
    record RecordPending(dev.sessionops.claude.api.v1alpha1.PendingRecord pending) implements MessageAction {
    }

    /**
     * The run finished: record it in the history when {@code record} (false: a replay, recorded before), then write
     * the verdict.
     */
    record Finish(Job job, MessageObservation.FinishedRun run, Verdict verdict, boolean record) implements MessageAction {
    }
}
