package dev.sessionops.claude.message;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jboss.logging.Logger;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.PendingRecord;
import dev.sessionops.claude.api.v1alpha1.Usage;
import dev.sessionops.claude.cli.RunOutcome;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.history.Completion;
import dev.sessionops.claude.history.ResumePoint;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.HistoryStore.Recording;
import dev.sessionops.claude.history.HistoryStoreUnavailableException;
import dev.sessionops.claude.history.Outcome;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.kube.StatusWriter;
import dev.sessionops.claude.message.MessageAction.Adopt;
import dev.sessionops.claude.message.MessageAction.AwaitHistory;
import dev.sessionops.claude.message.MessageAction.CreateJob;
import dev.sessionops.claude.message.MessageAction.EndWithoutRun;
import dev.sessionops.claude.message.MessageAction.DeleteJob;
import dev.sessionops.claude.message.MessageAction.Finish;
import dev.sessionops.claude.message.MessageAction.RecordPending;
import dev.sessionops.claude.message.MessageAction.Restore;
import dev.sessionops.claude.message.MessageAction.Follow;
import dev.sessionops.claude.message.MessageAction.Wait;
import dev.sessionops.claude.observability.OperatorMetrics;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Carries out a {@link MessageAction}: the only place that writes a message's status, creates its Job, records its
 * outcome and raises its Events. Every status write is the whole status through {@link StatusWriter}.
 */
final class MessageEffects {
    private static final Logger LOG = Logger.getLogger(MessageEffects.class);

    private final HistoryStore history;
    private final EventRecorder events;
    private final OperatorConfig config;
    private final OperatorMetrics metrics;
    private final EventFollower liveEvents;
    private final GatewayFacts gateway;

    MessageEffects(HistoryStore history, EventRecorder events, OperatorConfig config, OperatorMetrics metrics,
            EventFollower liveEvents, GatewayFacts gateway) {
        this.gateway = gateway;
        this.history = history;
        this.events = events;
        this.config = config;
        this.metrics = metrics;
        this.liveEvents = liveEvents;
    }

    UpdateControl<ClaudeMessage> apply(MessageAction action, ClaudeMessage message, Context<ClaudeMessage> context) {
        // Java 17: no pattern switch yet; the sealed interface keeps this list complete
        if (action instanceof Follow f) {
            // the run's live events for the HTTP API; idempotent, and resumes following after an operator restart
            liveEvents.follow(message, f.job());
            return UpdateControl.noUpdate();
        }
        if (action instanceof MessageAction.ReportRun r) {
            return reportRun(message, r, context);
        }
        if (action instanceof MessageAction.Interrupt i) {
            return interrupt(message, i.job(), context);
        }
        if (action instanceof Adopt a) {
            return adopt(message, a.job(), context);
        }
        if (action instanceof Wait w) {
            return waiting(message, w, context);
        }
        if (action instanceof EndWithoutRun e) {
            UpdateControl<ClaudeMessage> control = finish(message, e.phase(), e.reason(), e.text(), context);
            metrics.endedWithoutRun(message, e.phase(), e.reason()); // counted once the terminal status is written
            return control;
        }
        if (action instanceof CreateJob c) {
            return createJob(message, c, context);
        }
        if (action instanceof AwaitHistory h) {
            return awaitHistory(message, h.error(), context);
        }
        if (action instanceof Finish f) {
            return finishRun(message, f, context);
        }
        if (action instanceof Restore r) {
            return restore(message, r, context);
        }
        if (action instanceof RecordPending p) {
            return recordPending(message, p, context);
        }
        if (action instanceof DeleteJob d) {
            return cleanUp(message, d.job(), UpdateControl.noUpdate(), context);
        }
        return UpdateControl.noUpdate(); // Nothing
    }

    private UpdateControl<ClaudeMessage> createJob(ClaudeMessage message, CreateJob create, Context<ClaudeMessage> context) {
        String namespace = message.getMetadata().getNamespace();
        String resumeFrom = create.resumeFrom();
        // a one-shot message is its own conversation: nothing before it to leave out
        Job job = JobSpecBuilder.forRun(create.plan(), resumeFrom == null ? null : new ResumePoint(resumeFrom, null));
        try {
            // the prompt first: the Job's pod mounts it (and the Job's UID, which could own it, does not exist yet)
            PromptConfigMaps.create(context.getClient(), PromptConfigMap.of(create.plan().job()));
            // into this controller's Job cache too, so the next reconcile sees the Job (no live GET to make sure)
            @SuppressWarnings("unchecked")
            var jobs = (InformerEventSource<Job, ClaudeMessage>) context.eventSourceRetriever().getEventSourceFor(Job.class);
            context.resourceOperations().create(job, jobs);
            LOG.infof("message %s/%s: created Job %s%s", namespace, message.getMetadata().getName(),
                    job.getMetadata().getName(), resumeFrom == null ? "" : " resuming " + resumeFrom);
        } catch (RunRefused e) {
            return refused(message, e.refusal(), context);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                JobRefusal refusal = JobRefusal.of(e).orElseThrow(() -> e);
                return refused(message, refusal, context);
            }
            // Created by an earlier attempt (or another operator instance): the same run if the message controls it
            try {
                RunJobs.existingRun(context.getClient(), job, message.getMetadata().getUid(), e);
            } catch (RunRefused someoneElses) {
                return refused(message, someoneElses.refusal(), context);
            }
        }
        ClaudeMessageStatus status = message.getStatus();
        status.setPhase(MessagePhase.Running);
        status.setWaitingSince(null);
        status.setJobName(job.getMetadata().getName());
        status.setResumedFrom(resumeFrom);
        status.setStartedAt(Conditions.now());
        status.setObservedGeneration(message.getMetadata().getGeneration());
        // no Event: a routine step, in the condition and the Job's own Events (each Event is a write to etcd)
        setCondition(message, Conditions.UNKNOWN, Reasons.JOB_CREATED, MessageTransition.runningText(job));
        return writeStatus(message, context);
    }

    /** A quota waits (Pending, retried with a growing backoff); a rejection ends the message. */
    private UpdateControl<ClaudeMessage> refused(ClaudeMessage message, JobRefusal refusal, Context<ClaudeMessage> context) {
        if (!refusal.waiting()) {
            return apply(new EndWithoutRun(MessagePhase.Failed, refusal.reason(), refusal.message()), message, context);
        }
        Duration waited = Duration.between(Waiting.since(message, refusal.reason()), Instant.now());
        return waiting(message, new Wait(MessagePhase.Pending, refusal.reason(), refusal.message(), JobRefusal.backoff(waited)),
                context);
    }

    /**
     * spec.cancel on a running message: its Job is deleted in the foreground, so it stays until its pod is gone; the
     * pod's stop is SIGTERM to the container's shell, SIGINT to the CLI, which ends the run gracefully within the
     * pod's grace period. The message ends when the Job is gone (or finished while being deleted).
     */
    private UpdateControl<ClaudeMessage> interrupt(ClaudeMessage message, Job job, Context<ClaudeMessage> context) {
        if (!job.isMarkedForDeletion()) {
            deleteJob(job, DeletionPropagation.FOREGROUND, context);
        }
        boolean first = !Reasons.CANCELLING.equals(reasonOf(message));
        message.getStatus().setPhase(MessagePhase.Running);
        setCondition(message, Conditions.UNKNOWN, Reasons.CANCELLING, "stopping Job " + job.getMetadata().getName()
                + " (spec.cancel)");
        UpdateControl<ClaudeMessage> control = first ? writeStatus(message, context) : UpdateControl.noUpdate();
        if (first) {
            events.normal(message, Reasons.CANCELLING, "Stopping Job " + job.getMetadata().getName() + " (spec.cancel)");
        }
        return control.rescheduleAfter(MessageTransition.RECHECK);
    }

    /** The run goes on; its condition says how (the status first, then the Event, as for a final state). */
    private UpdateControl<ClaudeMessage> reportRun(ClaudeMessage message, MessageAction.ReportRun report,
            Context<ClaudeMessage> context) {
        liveEvents.follow(message, report.job());
        message.getStatus().setPhase(MessagePhase.Running);
        UpdateControl<ClaudeMessage> control = setCondition(message, Conditions.UNKNOWN, report.reason(), report.text())
                ? writeStatus(message, context) : UpdateControl.noUpdate();
        if (report.announce()) {
            events.warning(message, report.reason(), report.text());
        }
        return control;
    }

    private UpdateControl<ClaudeMessage> adopt(ClaudeMessage message, Job job, Context<ClaudeMessage> context) {
        liveEvents.follow(message, job);
        ClaudeMessageStatus status = message.getStatus();
        status.setPhase(MessagePhase.Running);
        status.setWaitingSince(null);
        status.setJobName(job.getMetadata().getName());
        status.setResumedFrom(job.getMetadata().getAnnotations() == null ? null
                : job.getMetadata().getAnnotations().get(JobSpecBuilder.RESUMED_FROM_ANNOTATION));
        status.setStartedAt(job.getMetadata().getCreationTimestamp());
        setCondition(message, Conditions.UNKNOWN, Reasons.JOB_CREATED, MessageTransition.runningText(job));
        return writeStatus(message, context);
    }

    private UpdateControl<ClaudeMessage> awaitHistory(ClaudeMessage message, String error, Context<ClaudeMessage> context) {
        if (!Reasons.HISTORY_STORE_UNAVAILABLE.equals(reasonOf(message))) {
            events.warning(message, Reasons.HISTORY_STORE_UNAVAILABLE, "Run finished; recording it waits for Redis: " + error);
        }
        PendingRecord pending = message.getStatus().getPendingRecord();
        setCondition(message, Conditions.UNKNOWN, Reasons.HISTORY_STORE_UNAVAILABLE,
                (pending == null ? "the run finished" : "the run finished (" + pending.getPhase() + ", kept in this status)")
                        + "; recording it in Redis is retried: " + error);
        return writeStatus(message, context).rescheduleAfter(MessageTransition.RECHECK);
    }

    /**
     * The finished run's figures and what recording it needs, into the status (written with the condition that
     * follows): once there, the Job and its log may go (TTL, a user) and the run is still recorded when Redis is back.
     */
    private void keepPending(ClaudeMessage message, Job job, MessageObservation.FinishedRun run, Verdict verdict,
            String prompt) {
        ClaudeMessageStatus status = message.getStatus();
        Verdict.fill(status, run.outcome(), config.resultMaxChars());
        stamp(status, job);
        PendingRecord pending = new PendingRecord();
        pending.setPhase(verdict.phase());
        pending.setReason(verdict.reason());
        pending.setMessage(Conditions.cap(verdict.message()));
        pending.setPrompt(prompt);
        pending.setTurnUuid(turnUuid(run.outcome(), verdict));
        status.setPendingRecord(pending);
    }

    private UpdateControl<ClaudeMessage> finishRun(ClaudeMessage message, Finish action, Context<ClaudeMessage> context) {
        Finish f = new Finish(action.job(), action.run(), gateway.refine(message, action.verdict()), action.record());
        ClaudeMessageStatus status = message.getStatus();
        Job job = f.job();
        RunOutcome run = f.run().outcome();
        // complete before the final status: subscribers then see all (a run without its Job: the events are its log)
        liveEvents.runEnded(message, job == null ? null : f.run().log());
        Verdict.fill(status, run, config.resultMaxChars());
        stamp(status, job);
        String reply = run == null ? null : (run.result() != null ? run.result() : run.assistantText());
        Recording recording = Recording.replayed(null); // the transition saw it recorded, by a version keeping no outcome
        if (f.record()) {
            String prompt = promptOf(message, job, context);
            Completion completion = completion(message, f.verdict().phase() == MessagePhase.Succeeded, prompt, reply,
                    turnUuid(run, f.verdict()));
            try {
                recording = record(message, completion,
                        Outcome.of(status, f.verdict().phase(), f.verdict().reason(), f.verdict().message()));
            } catch (HistoryStoreUnavailableException e) {
                keepPending(message, job, f.run(), f.verdict(), prompt);
                return awaitHistory(message, e.getMessage(), context);
            }
        }
        if (recording.kind() == Recording.Kind.CONVERSATION_DELETED) {
            UpdateControl<ClaudeMessage> control = conversationDeleted(message, context);
            return job == null ? control : cleanUp(message, job, control, context);
        }
        if (recording.earlier() != null) {
            return restored(message, job, recording.earlier(), context); // a replay: its first status write was lost
        }
        if (recording.kind() == Recording.Kind.RECORDED) {
            counted(message, f.verdict().phase(), f.verdict().reason());
        }
        UpdateControl<ClaudeMessage> control = finish(message, f.verdict().phase(), f.verdict().reason(), f.verdict().message(),
                context);
        return job == null ? control : cleanUp(message, job, control, context);
    }

    /** Redis recorded the run; the status write that should have followed was lost: the status, from Redis. */
    private UpdateControl<ClaudeMessage> restore(ClaudeMessage message, Restore r, Context<ClaudeMessage> context) {
        if (r.job() != null) {
            liveEvents.runEnded(message, null);
        }
        return restored(message, r.job(), r.outcome(), context);
    }

    /** The outcome Redis recorded, into the status: the first recording's word, whatever a later look at the run says. */
    private UpdateControl<ClaudeMessage> restored(ClaudeMessage message, Job job, Outcome outcome,
            Context<ClaudeMessage> context) {
        outcome.fill(message.getStatus());
        UpdateControl<ClaudeMessage> control = finish(message, outcome.phase(), outcome.reason(), outcome.message(), context);
        return job == null ? control : cleanUp(message, job, control, context);
    }

    /** The Job is gone; the run it made waited in the status for Redis: recorded now, then the message ends. */
    private UpdateControl<ClaudeMessage> recordPending(ClaudeMessage message, RecordPending p, Context<ClaudeMessage> context) {
        ClaudeMessageStatus status = message.getStatus();
        PendingRecord pending = p.pending();
        Completion completion = completion(message, pending.getPhase() == MessagePhase.Succeeded, pending.getPrompt(),
                status.getResult(), pending.getTurnUuid());
        Recording recording;
        try {
            recording = record(message, completion,
                    Outcome.of(status, pending.getPhase(), pending.getReason(), pending.getMessage()));
        } catch (HistoryStoreUnavailableException e) {
            return awaitHistory(message, e.getMessage(), context);
        }
        if (recording.kind() == Recording.Kind.CONVERSATION_DELETED) {
            return conversationDeleted(message, context);
        }
        if (recording.earlier() != null) {
            return restored(message, null, recording.earlier(), context);
        }
        if (recording.kind() == Recording.Kind.RECORDED) {
            counted(message, pending.getPhase(), pending.getReason());
        }
        return finish(message, pending.getPhase(), pending.getReason(), pending.getMessage(), context);
    }

    /** Into the message's conversation; a session's message its session never took in has none (deleted before). */
    private Recording record(ClaudeMessage message, Completion completion, Outcome outcome) {
        return ConversationKey.of(message).map(key -> history.record(key, completion, outcome))
                .orElse(Recording.CONVERSATION_DELETED);
    }

    /** A late run of a deleted conversation (its session is gone and the message goes with it): nothing recorded. */
    private UpdateControl<ClaudeMessage> conversationDeleted(ClaudeMessage message, Context<ClaudeMessage> context) {
        return finish(message, MessagePhase.Cancelled, Reasons.CONVERSATION_DELETED,
                "the run finished after its conversation was deleted; it was not recorded", context);
    }

    /**
     * The prompt as it ran, from the ConfigMap the Job names (the operator's, never the pod's word); none when the Job
     * is gone (a stopped run), or when the ConfigMap is gone or no longer the run's, which an Event says.
     */
    private String promptOf(ClaudeMessage message, Job job, Context<ClaudeMessage> context) {
        if (job == null) {
            return null;
        }
        Optional<String> prompt = PromptConfigMaps.read(context.getClient(), job, message.getMetadata().getUid());
        if (prompt.isEmpty()) {
            events.warning(message, Reasons.PROMPT_UNVERIFIED, "The prompt's ConfigMap of Job " + job.getMetadata().getName()
                    + " is gone or no longer the run's: the history records this turn without its prompt");
        }
        return prompt.orElse(null);
    }

    /** When the run ended (now, the first time it is seen ended) and how long it took. */
    private static void stamp(ClaudeMessageStatus status, Job job) {
        if (status.getStartedAt() == null && job != null) {
            status.setStartedAt(job.getMetadata().getCreationTimestamp());
        }
        if (status.getCompletedAt() == null) {
            status.setCompletedAt(Conditions.now());
        }
        if (status.getDurationMs() == null && status.getStartedAt() != null) {
            status.setDurationMs(Duration.between(Instant.parse(status.getStartedAt()),
                    Instant.parse(status.getCompletedAt())).toMillis());
        }
    }

    /** A replay (the status write of an earlier attempt was lost) was counted the first time. */
    private void counted(ClaudeMessage message, MessagePhase phase, String reason) {
        ClaudeMessageStatus status = message.getStatus();
        Usage usage = status.getUsage() == null ? new Usage() : status.getUsage();
        metrics.runFinished(message, phase, reason, status.getCostUsd() == null ? 0 : status.getCostUsd(), usage);
    }

    /**
     * A finished message's Job, its outcome recorded and stated: kept {@code cso.job.keep-after-record} (for
     * {@code kubectl logs}), then deleted — by the operator, which knows it was recorded, long before the TTL
     * controller's backstop, which does not.
     */
    private UpdateControl<ClaudeMessage> cleanUp(ClaudeMessage message, Job job, UpdateControl<ClaudeMessage> control,
            Context<ClaudeMessage> context) {
        String completed = message.getStatus().getCompletedAt();
        Instant due = (completed == null ? Instant.now() : Instant.parse(completed)).plus(config.job().keepAfterRecord());
        Duration left = Duration.between(Instant.now(), due);
        if (left.isNegative() || left.isZero()) {
            deleteJob(job, DeletionPropagation.BACKGROUND, context);
            return control;
        }
        return control.rescheduleAfter(left.plusSeconds(1));
    }

    /** The garbage collector removes its pod (first, with foreground propagation). Gone already is fine. */
    private static void deleteJob(Job job, DeletionPropagation propagation, Context<ClaudeMessage> context) {
        try {
            context.getClient().batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                    .withName(job.getMetadata().getName()).withPropagationPolicy(propagation).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                // the TTL controller removes it later; the outcome is safe either way
                LOG.warnf("could not delete Job %s/%s: %s", job.getMetadata().getNamespace(), job.getMetadata().getName(),
                        e.getMessage());
            }
        }
    }

    /** What the message adds to its conversation; the figures come from the (filled) status. */
    private static Completion completion(ClaudeMessage message, boolean succeeded, String prompt, String reply,
            String turnUuid) {
        ClaudeMessageStatus s = message.getStatus();
        Usage usage = s.getUsage();
        return new Completion(message.getMetadata().getUid(), message.getMetadata().getName(), succeeded, prompt, reply,
                s.getSessionId(), s.getStartedAt(), s.getCompletedAt(), s.getCostUsd() == null ? 0 : s.getCostUsd(),
                usage == null ? 0 : usage.getInputTokens(), usage == null ? 0 : usage.getOutputTokens(),
                usage == null ? 0 : usage.getCacheCreationInputTokens(), usage == null ? 0 : usage.getCacheReadInputTokens(),
                turnUuid);
    }

    /** Only a succeeded turn is a place to resume at. */
    private static String turnUuid(RunOutcome run, Verdict verdict) {
        return run == null || verdict.phase() != MessagePhase.Succeeded ? null : run.lastAssistantUuid();
    }

    private UpdateControl<ClaudeMessage> finish(ClaudeMessage message, MessagePhase phase, String reason, String text,
            Context<ClaudeMessage> context) {
        ClaudeMessageStatus status = message.getStatus();
        gateway.fill(message);
        status.setPhase(phase);
        status.setPendingRecord(null);
        status.setObservedGeneration(message.getMetadata().getGeneration());
        if (status.getCompletedAt() == null) {
            status.setCompletedAt(Conditions.now());
        }
        setCondition(message, phase == MessagePhase.Succeeded ? Conditions.TRUE : Conditions.FALSE, reason, text);
        // the status first, then the Event: a crash between them loses a courtesy Event; the other order would make
        // the replay (which sees no terminal status) announce the outcome twice
        UpdateControl<ClaudeMessage> control = writeStatus(message, context);
        if (phase == MessagePhase.Succeeded) {
            events.normal(message, reason, text);
        } else {
            events.warning(message, reason, text);
        }
        LOG.infof("message %s/%s: %s (%s)", message.getMetadata().getNamespace(), message.getMetadata().getName(), phase, reason);
        return control;
    }

    /**
     * A non-final state; a Warning Event only when the reason changes, so waiting never floods events. Waiting in its
     * session's queue is routine: its condition says so, without an Event.
     */
    private UpdateControl<ClaudeMessage> waiting(ClaudeMessage message, Wait wait, Context<ClaudeMessage> context) {
        ClaudeMessageStatus status = message.getStatus();
        boolean newReason = !wait.reason().equals(reasonOf(message));
        // before the condition changes: a wait for the same reason keeps its start
        String since = wait.phase() == MessagePhase.Pending ? Waiting.since(message, wait.reason()).toString() : null;
        boolean changed = status.getPhase() != wait.phase()
                | setCondition(message, Conditions.UNKNOWN, wait.reason(), wait.text());
        changed |= !java.util.Objects.equals(since, status.getWaitingSince());
        status.setWaitingSince(since);
        status.setPhase(wait.phase());
        status.setObservedGeneration(message.getMetadata().getGeneration());
        if (newReason && !Reasons.QUEUED.equals(wait.reason())) {
            events.warning(message, wait.reason(), wait.text());
        }
        UpdateControl<ClaudeMessage> control = changed ? writeStatus(message, context) : UpdateControl.noUpdate();
        return wait.recheck() == null ? control : control.rescheduleAfter(wait.recheck());
    }

    /** The whole status, conditional on the version read ({@link StatusWriter}: a stale copy loses, and stops here). */
    private static UpdateControl<ClaudeMessage> writeStatus(ClaudeMessage message, Context<ClaudeMessage> context) {
        StatusWriter.writePrimary(context, message);
        return UpdateControl.noUpdate();
    }

    private static String reasonOf(ClaudeMessage message) {
        return Conditions.find(message.getStatus().getConditions(), ClaudeMessageReconciler.SUCCEEDED)
                .map(c -> c.getReason()).orElse(null);
    }

    private static boolean setCondition(ClaudeMessage message, String status, String reason, String text) {
        return Conditions.set(message.getStatus().getConditions(), ClaudeMessageReconciler.SUCCEEDED, status, reason, text,
                message.getMetadata().getGeneration());
    }
}
