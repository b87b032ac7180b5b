package dev.sessionops.claude.message;

import java.time.Duration;

import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.cli.ModelApiRetries;
import dev.sessionops.claude.events.PodWaiting;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.history.Recorded;
import dev.sessionops.claude.message.MessageAction.AwaitHistory;
import dev.sessionops.claude.message.MessageAction.CreateJob;
import dev.sessionops.claude.message.MessageAction.DeleteJob;
import dev.sessionops.claude.message.MessageAction.EndWithoutRun;
import dev.sessionops.claude.message.MessageAction.Finish;
import dev.sessionops.claude.message.MessageAction.RecordPending;
import dev.sessionops.claude.message.MessageAction.ReportRun;
import dev.sessionops.claude.message.MessageAction.Restore;
import dev.sessionops.claude.message.MessageAction.Wait;
import dev.sessionops.claude.message.MessageObservation.PlanCheck;
import dev.sessionops.claude.message.MessageObservation.Redis;
import dev.sessionops.claude.message.MessageObservation.Session;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * The message state machine as one pure function: no I/O, no clock, so every edge is a table row in
 * {@code MessageTransitionTest}. Phases: none (new), Pending, Queued, Running, and the terminal Succeeded, Failed,
 * Cancelled, never left. A message of a session does not start itself: it is validated here and waits Queued until
 * the session's reconciler creates its Job ({@code session.SessionDispatcher}), which this machine then adopts. A
 * one-shot message (no sessionRef) has no queue and starts itself. Guards, in this order:
 * <table>
 * <tr><th>from</th><th>guard</th><th>action (to, reason)</th></tr>
 * <tr><td>terminal</td><td>its Job still there</td><td>DeleteJob (the outcome is recorded)</td></tr>
 * <tr><td>terminal</td><td>otherwise</td><td>Nothing</td></tr>
 * <tr><td>any</td><td>spec.cancel, no Job yet</td><td>EndWithoutRun (Cancelled, Cancelled)</td></tr>
 * <tr><td>any</td><td>spec.cancel, its Job unfinished</td><td>Interrupt (the Job deleted; Running, Cancelling)</td></tr>
 * <tr><td>any</td><td>spec.cancel, its Job gone (or finished while being deleted)</td><td>Finish (Cancelled, with
 * what the live events hold: partial output and cost; recorded like a failed turn)</td></tr>
 * <tr><td>any</td><td>status names a Job the cache no longer has, Redis down</td><td>AwaitHistory, retry</td></tr>
 * <tr><td>any</td><td>... Job gone, Redis holds its outcome (the status write was lost)</td><td>Restore (its
 * phase, from Redis)</td></tr>
 * <tr><td>any</td><td>... Job gone, the status holds the run Redis could not record</td><td>RecordPending (its
 * phase)</td></tr>
 * <tr><td>any</td><td>... Job gone, no run recorded or kept (deleted before it finished)</td><td>EndWithoutRun
 * (Cancelled, JobDeleted)</td></tr>
 * <tr><td>Running</td><td>Job unfinished, the kubelet cannot start its pod (a Secret or key missing)</td><td>ReportRun
 * (Running, CredentialsMissing for the credentials Secret, else ContainerConfigError; an Event when the reason is
 * new); back to JobCreated once the pod starts</td></tr>
 * <tr><td>Running</td><td>Job unfinished, its CLI retrying the model API, the condition not showing that retry
 * yet</td><td>ReportRun (Running, RetryingModelApi; an Event on the run's first spell of retries)</td></tr>
 * <tr><td>Running (RetryingModelApi)</td><td>Job unfinished, the API answered since</td><td>ReportRun (Running,
 * JobCreated)</td></tr>
 * <tr><td>Running</td><td>Job unfinished</td><td>Follow</td></tr>
 * <tr><td>not Running</td><td>Job unfinished (created by the session, or the status write after creating it was
 * lost)</td><td>Adopt (Running, JobCreated)</td></tr>
 * <tr><td>any</td><td>Job finished, its run kept in the status (recording waited for Redis), Redis down</td>
 * <td>AwaitHistory (HistoryStoreUnavailable), retry</td></tr>
 * <tr><td>any</td><td>... Redis holds its outcome</td><td>Restore (from Redis)</td></tr>
 * <tr><td>any</td><td>... not recorded / recorded by a version that kept no outcome</td><td>Finish with / without
 * recording</td></tr>
 * <tr><td>any</td><td>Job finished</td><td>Finish (Verdict: Succeeded | Failed), recording it without asking Redis
 * first: the one script writes nothing on a replay and answers with the outcome recorded then, which the status
 * takes (Redis down: the run parsed into the status once, HistoryStoreUnavailable, retry)</td></tr>
 * <tr><td>no Job</td><td>Redis holds its outcome (recorded, every status write of it lost, the Job gone)</td><td>Restore
 * (from Redis)</td></tr>
 * <tr><td>no Job</td><td>session missing</td><td>Wait (Pending, SessionNotFound)</td></tr>
 * <tr><td>Queued (Queued)</td><td>session active</td><td>Nothing: validated, the session starts it</td></tr>
 * <tr><td>no Job, one-shot</td><td>inputs missing longer than cso.pending-timeout</td><td>EndWithoutRun (Failed,
 * PendingTimeout)</td></tr>
 * <tr><td>no Job</td><td>inputs missing (ConfigMap, its key, a workspace claim)</td><td>Wait (Pending, its reason), retry</td></tr>
 * <tr><td>no Job</td><td>inputs invalid</td><td>EndWithoutRun (Failed, its reason)</td></tr>
 * <tr><td>no Job</td><td>session suspended</td><td>Wait (Queued, SessionSuspended)</td></tr>
 * <tr><td>no Job</td><td>session active</td><td>Wait (Queued, Queued): the session starts it in its turn</td></tr>
 * <tr><td>no Job, one-shot</td><td>Redis down reading the resume id</td><td>Wait (Pending, HistoryStoreUnavailable),
 * retry</td></tr>
 * <tr><td>no Job, one-shot</td><td>otherwise</td><td>CreateJob (Running, JobCreated; a 409 is the same run)</td></tr>
 * </table>
 */
public final class MessageTransition {
    /** How often a message waiting for a Secret, ConfigMap or Redis looks again. */
    public static final Duration RECHECK = Duration.ofSeconds(10);
    static final MessageAction NOTHING = new MessageAction.Nothing();
    /** How soon a stopped run whose last events are on their way is looked at again. */
    static final Duration SETTLE = Duration.ofSeconds(1);

    private MessageTransition() {
    }

    public static MessageAction next(MessageObservation o) {
        if (o.phase() != null && o.phase().isTerminal()) {
            return o.job() != null ? new DeleteJob(o.job()) : NOTHING;
        }
        if (o.cancel() && o.job() == null && o.jobName() == null) {
            return new EndWithoutRun(MessagePhase.Cancelled, Reasons.CANCELLED, "cancelled before it ran (spec.cancel)");
        }
        if (o.cancel() && o.job() != null && !JobState.of(o.job()).finished()) {
            return new MessageAction.Interrupt(o.job());
        }
        if (o.job() == null && o.jobName() != null) {
            return jobGone(o);
        }
        return o.job() != null ? following(o, o.job()) : starting(o);
    }

    /** Its Job is gone: a run that happened is never reported as deleted (Redis or the status still has it). */
    private static MessageAction jobGone(MessageObservation o) {
        Redis<Recorded> recorded = o.recorded().get();
        if (recorded.isDown()) {
            return new AwaitHistory(recorded.unavailable());
        }
        if (recorded.value().outcome() != null) {
            return new Restore(null, recorded.value().outcome());
        }
        if (o.pending() != null) {
            return new RecordPending(o.pending());
        }
        if (o.cancel()) {
            return stopped(o, null, recorded.value());
        }
        return new EndWithoutRun(MessagePhase.Cancelled, Reasons.JOB_DELETED,
                "Job " + o.jobName() + " was deleted before it finished");
    }

    private static MessageAction following(MessageObservation o, Job job) {
        JobState state = JobState.of(job);
        if (!state.finished()) {
            return o.phase() == MessagePhase.Running ? running(o, job) : new MessageAction.Adopt(job);
        }
        boolean record = true;
        if (o.pending() != null || o.cancel() && job.isMarkedForDeletion()) {
            // rare paths, which ask Redis first: a run whose recording waited for Redis (in the status already, so
            // nothing is read again while Redis is down), and a run that finished because it was stopped
            Redis<Recorded> recorded = o.recorded().get();
            if (!recorded.isDown() && recorded.value().outcome() != null) {
                return new Restore(job, recorded.value().outcome());
            }
            if (o.pending() == null) {
                return stopped(o, job, recorded.isDown() ? null : recorded.value());
            }
            if (recorded.isDown()) {
                return new AwaitHistory(recorded.unavailable());
            }
            record = !recorded.value().recorded();
        }
        // else no read first: recording is one script, which writes nothing on a replay and answers with the outcome
        // recorded then, the status's word (MessageEffects)
        MessageObservation.FinishedRun run = o.run().get();
        long timeout = job.getSpec() == null || job.getSpec().getActiveDeadlineSeconds() == null ? 0
                : job.getSpec().getActiveDeadlineSeconds();
        return new Finish(job, run, Verdict.of(state, run.outcome(), timeout), record);
    }

    /**
     * A run in progress: its condition follows the model API's retries, as {@link ModelApiRetries} shows them (a new
     * retry only every few seconds, so a storm of retries is a few writes); nothing changes while the live events
     * have not been read (an operator restart: its follower reads the log again from its start).
     */
    private static MessageAction running(MessageObservation o, Job job) {
        PodWaiting pod = o.podWaiting();
        if (pod != null) {
            String reason = JobSpecBuilder.credentialsSecretOf(job)
                    .filter(secret -> pod.isAboutSecret(job.getMetadata().getNamespace(), secret)).isPresent()
                            ? Reasons.CREDENTIALS_MISSING : Reasons.CONTAINER_CONFIG_ERROR;
            String text = "its pod cannot start: " + pod.message() + " (the run starts once it is there, or ends at its timeout)";
            boolean same = reason.equals(o.reason());
            return same && text.equals(o.conditionText()) ? new MessageAction.Follow(job) : new ReportRun(job, reason, text, !same);
        }
        ModelApiRetries api = o.modelApi();
        boolean shown = Reasons.RETRYING_MODEL_API.equals(o.reason());
        if (api != null && api.retrying()) {
            String text = api.describe();
            return shown && text.equals(o.conditionText()) ? new MessageAction.Follow(job)
                    : new ReportRun(job, Reasons.RETRYING_MODEL_API, text, !shown && api.spells() == 1);
        }
        if (shown && api != null || Reasons.CREDENTIALS_MISSING.equals(o.reason())
                || Reasons.CONTAINER_CONFIG_ERROR.equals(o.reason())) {
            return new ReportRun(job, Reasons.JOB_CREATED, runningText(job), false);
        }
        return new MessageAction.Follow(job);
    }

    /** The condition's message while a run goes normally. */
    static String runningText(Job job) {
        return "running as Job " + job.getMetadata().getName();
    }

    /**
     * A run stopped on request has ended: Cancelled, with what its live events (its pod is gone) or its log hold: the
     * CLI, interrupted with SIGINT, prints its result and cost when it can. Recorded like a failed turn (its cost),
     * so the next message resumes at the last succeeded one. Its events may still be arriving: a moment later.
     */
    private static MessageAction stopped(MessageObservation o, Job job, Recorded recorded) {
        if (recorded == null) {
            return new AwaitHistory(o.recorded().get().unavailable());
        }
        MessageObservation.FinishedRun run = o.run().get();
        if (run.settling()) {
            return new Wait(MessagePhase.Running, Reasons.CANCELLING, "its last events are being written", SETTLE);
        }
        return new Finish(job, run, Verdict.cancelled(run.outcome()), !recorded.recorded());
    }

    private static MessageAction starting(MessageObservation o) {
        // its run may have been recorded while no status write of it landed (the Job gone since): never run it twice
        Redis<Recorded> recorded = o.recorded().get();
        if (!recorded.isDown() && recorded.value().outcome() != null) {
            return new Restore(null, recorded.value().outcome());
        }
        if (o.session() == Session.MISSING) {
            return new Wait(MessagePhase.Pending, Reasons.SESSION_NOT_FOUND, "waiting for ClaudeSession " + o.sessionName(), null);
        }
        if (o.session().active() && o.phase() == MessagePhase.Queued
                && (Reasons.QUEUED.equals(o.reason()) || Reasons.CONCURRENCY_LIMIT.equals(o.reason()))) {
            return NOTHING; // validated when it was queued; the session plans it again when it starts it
        }
        PlanCheck plan = o.plan().get();
        if (plan.problem() != null) {
            MessageProblem p = plan.problem();
            if (!p.isWaiting()) {
                return new EndWithoutRun(MessagePhase.Failed, p.reason(), p.getMessage());
            }
            // a one-shot message has no queue to hold up, but it must not wait for ever either (a session's head is
            // timed out by its session, which starts it)
            if (o.session() == Session.ONE_SHOT && o.waitedFor().apply(p.reason()).compareTo(o.pendingTimeout()) >= 0) {
                return new EndWithoutRun(MessagePhase.Failed, Reasons.PENDING_TIMEOUT, "waited "
                        + o.pendingTimeout().toSeconds() + "s (cso.pending-timeout) for: " + p.getMessage());
            }
            return new Wait(MessagePhase.Pending, p.reason(), p.getMessage(), RECHECK);
        }
        if (o.session() == Session.SUSPENDED) {
            return new Wait(MessagePhase.Queued, Reasons.SESSION_SUSPENDED, "session " + o.sessionName() + " is suspended", null);
        }
        if (o.session() == Session.STARTS_IT && o.phase() == null) {
            return NOTHING; // validated; its session creates its Job now, whose event brings it Running: one write
        }
        if (o.session().active()) {
            return new Wait(MessagePhase.Queued, Reasons.QUEUED, "session " + o.sessionName()
                    + " starts it when the messages before it have finished", null);
        }
        Redis<String> resumeFrom = o.resumeFrom().get();
        if (resumeFrom.isDown()) {
            return new Wait(MessagePhase.Pending, Reasons.HISTORY_STORE_UNAVAILABLE,
                    "cannot read the conversation from Redis: " + resumeFrom.unavailable(), RECHECK);
        }
        // last: asking takes a free slot (a one-shot message; a session asks for its head when it starts it)
        RunSlots.Answer slot = o.slot().get();
        if (!slot.granted()) {
            return o.phase() == MessagePhase.Queued && Reasons.CONCURRENCY_LIMIT.equals(o.reason()) ? NOTHING
                    : new Wait(MessagePhase.Queued, Reasons.CONCURRENCY_LIMIT, "waiting for a run slot (" + slot.why()
                            + "): number " + slot.place() + " in its namespace's line when it joined", null);
        }
        return new CreateJob(plan.plan(), resumeFrom.value());
    }
}
