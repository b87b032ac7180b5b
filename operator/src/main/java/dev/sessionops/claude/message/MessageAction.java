package dev.sessionops.claude.message;

import java.time.Duration;

import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** What {@link MessageTransition#next} decided; {@link MessageEffects} carries it out. */
public sealed interface MessageAction {

    /** A finished message: nothing to do, ever. */
    record Nothing() implements MessageAction {
    }

    /** Its Job runs and the status says so: follow the run's live events. */
    record Follow(Job job) implements MessageAction {
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

    /** The run finished but Redis cannot record it: say so and retry. */
    record AwaitHistory(String error) implements MessageAction {
    }

    /**
     * The run finished: record it in the history when {@code record} (false: a replay, recorded before), then write
     * the verdict.
     */
    record Finish(Job job, MessageObservation.FinishedRun run, Verdict verdict, boolean record) implements MessageAction {
    }
}
