package dev.sessionops.claude.message;

import java.time.Duration;
import java.time.Instant;

import org.jboss.logging.Logger;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import dev.sessionops.claude.cli.ClaudeCommand;
import dev.sessionops.claude.cli.RunOutcome;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.history.Completion;
import dev.sessionops.claude.history.ResumePoint;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.HistoryStoreUnavailableException;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.kube.StatusWriter;
import dev.sessionops.claude.message.MessageAction.Adopt;
import dev.sessionops.claude.message.MessageAction.AwaitHistory;
import dev.sessionops.claude.message.MessageAction.CreateJob;
import dev.sessionops.claude.message.MessageAction.EndWithoutRun;
import dev.sessionops.claude.message.MessageAction.Finish;
import dev.sessionops.claude.message.MessageAction.Follow;
import dev.sessionops.claude.message.MessageAction.Wait;
import dev.sessionops.claude.observability.OperatorMetrics;
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

    MessageEffects(HistoryStore history, EventRecorder events, OperatorConfig config, OperatorMetrics metrics,
            EventFollower liveEvents) {
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
            liveEvents.follow(message, f.job().getMetadata().getName());
            return UpdateControl.noUpdate();
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
        return UpdateControl.noUpdate(); // Nothing
    }

    private UpdateControl<ClaudeMessage> createJob(ClaudeMessage message, CreateJob create, Context<ClaudeMessage> context) {
        String namespace = message.getMetadata().getNamespace();
        String resumeFrom = create.resumeFrom();
        // a one-shot message is its own conversation: nothing before it to leave out
        Job job = JobSpecBuilder.forRun(create.plan(), resumeFrom == null ? null : new ResumePoint(resumeFrom, null));
        try {
            // into this controller's Job cache too, so the next reconcile sees the Job (no live GET to make sure)
            @SuppressWarnings("unchecked")
            var jobs = (InformerEventSource<Job, ClaudeMessage>) context.eventSourceRetriever().getEventSourceFor(Job.class);
            context.resourceOperations().create(job, jobs);
            LOG.infof("message %s/%s: created Job %s%s", namespace, message.getMetadata().getName(),
                    job.getMetadata().getName(), resumeFrom == null ? "" : " resuming " + resumeFrom);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                JobRefusal refusal = JobRefusal.of(e).orElseThrow(() -> e);
                return refused(message, refusal, context);
            }
            // Created by an earlier attempt (or another operator instance): the deterministic name makes it the same run.
        }
        ClaudeMessageStatus status = message.getStatus();
        status.setPhase(MessagePhase.Running);
        status.setWaitingSince(null);
        status.setJobName(job.getMetadata().getName());
        status.setResumedFrom(resumeFrom);
        status.setStartedAt(Conditions.now());
        status.setObservedGeneration(message.getMetadata().getGeneration());
        setCondition(message, Conditions.UNKNOWN, Reasons.JOB_CREATED, "running as Job " + job.getMetadata().getName());
        events.normal(message, Reasons.JOB_CREATED, "Started Job " + job.getMetadata().getName()
                + (resumeFrom == null ? "" : ", resuming Claude session " + resumeFrom));
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

    private UpdateControl<ClaudeMessage> adopt(ClaudeMessage message, Job job, Context<ClaudeMessage> context) {
        liveEvents.follow(message, job.getMetadata().getName());
        ClaudeMessageStatus status = message.getStatus();
        status.setPhase(MessagePhase.Running);
        status.setWaitingSince(null);
        status.setJobName(job.getMetadata().getName());
        status.setResumedFrom(job.getMetadata().getAnnotations() == null ? null
                : job.getMetadata().getAnnotations().get(JobSpecBuilder.RESUMED_FROM_ANNOTATION));
        status.setStartedAt(job.getMetadata().getCreationTimestamp());
        setCondition(message, Conditions.UNKNOWN, Reasons.JOB_CREATED, "running as Job " + job.getMetadata().getName());
        return writeStatus(message, context);
    }

    private UpdateControl<ClaudeMessage> awaitHistory(ClaudeMessage message, String error, Context<ClaudeMessage> context) {
        if (!Reasons.HISTORY_STORE_UNAVAILABLE.equals(reasonOf(message))) {
            events.warning(message, Reasons.HISTORY_STORE_UNAVAILABLE, "Run finished; recording it waits for Redis: " + error);
        }
        setCondition(message, Conditions.UNKNOWN, Reasons.HISTORY_STORE_UNAVAILABLE,
                "the run finished; recording it in Redis is retried: " + error);
        return writeStatus(message, context).rescheduleAfter(MessageTransition.RECHECK);
    }

    private UpdateControl<ClaudeMessage> finishRun(ClaudeMessage message, Finish f, Context<ClaudeMessage> context) {
        ClaudeMessageStatus status = message.getStatus();
        Job job = f.job();
        RunOutcome run = f.run().outcome();
        liveEvents.runEnded(message, f.run().log()); // complete before the final status: subscribers then see all
        String completedAt = Conditions.now();
        String startedAt = status.getStartedAt() != null ? status.getStartedAt() : job.getMetadata().getCreationTimestamp();
        Completion completion = completion(message, job, run, f.verdict(), startedAt, completedAt);
        boolean firstRecord = false;
        if (f.record()) {
            try {
                firstRecord = history.record(ConversationKey.of(message), completion);
            } catch (HistoryStoreUnavailableException e) {
                return awaitHistory(message, e.getMessage(), context);
            }
        }
        Verdict.fill(status, run, config.resultMaxChars());
        status.setCompletedAt(completedAt);
        if (status.getDurationMs() == null && startedAt != null) {
            status.setDurationMs(Duration.between(Instant.parse(startedAt), Instant.parse(completedAt)).toMillis());
        }
        if (firstRecord) {
            // a replay (the status write of an earlier attempt was lost) was counted the first time
            metrics.runFinished(message, f.verdict().phase(), f.verdict().reason(), completion.costUsd(),
                    new Usage(completion.inputTokens(), completion.outputTokens(), completion.cacheCreationInputTokens(),
                            completion.cacheReadInputTokens()));
        }
        return finish(message, f.verdict().phase(), f.verdict().reason(), f.verdict().message(), context);
    }

    private static Completion completion(ClaudeMessage message, Job job, RunOutcome run, Verdict verdict, String startedAt,
            String completedAt) {
        var usage = run == null ? null : run.usage();
        String reply = run == null ? null : (run.result() != null ? run.result() : run.assistantText());
        return new Completion(message.getMetadata().getUid(), message.getMetadata().getName(),
                verdict.phase() == MessagePhase.Succeeded,
                ClaudeCommand.promptOf(JobSpecBuilder.commandAsRun(job)),
                reply, run == null ? null : run.sessionId(), startedAt, completedAt,
                run == null ? 0 : run.runCostUsd(),
                usage == null ? 0 : usage.inputTokens(), usage == null ? 0 : usage.outputTokens(),
                usage == null ? 0 : usage.cacheCreationInputTokens(), usage == null ? 0 : usage.cacheReadInputTokens(),
                run == null || verdict.phase() != MessagePhase.Succeeded ? null : run.lastAssistantUuid());
    }

    private UpdateControl<ClaudeMessage> finish(ClaudeMessage message, MessagePhase phase, String reason, String text,
            Context<ClaudeMessage> context) {
        ClaudeMessageStatus status = message.getStatus();
        status.setPhase(phase);
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

    /** A non-final state; the Event is written only when the reason changes, so waiting never floods events. */
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
        if (newReason) {
            if (Reasons.QUEUED.equals(wait.reason())) {
                events.normal(message, wait.reason(), wait.text());
            } else {
                events.warning(message, wait.reason(), wait.text());
            }
        }
        UpdateControl<ClaudeMessage> control = changed ? writeStatus(message, context) : UpdateControl.noUpdate();
        return wait.recheck() == null ? control : control.rescheduleAfter(wait.recheck());
    }

    /** The whole status as a JSON patch (JOSDK's diff patch fails on the mock server for objects created without one). */
    private static UpdateControl<ClaudeMessage> writeStatus(ClaudeMessage message, Context<ClaudeMessage> context) {
        StatusWriter.writePrimary(context, message, message.getStatus());
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
