package dev.sessionops.claude.message;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.cli.ClaudeCommand;
import dev.sessionops.claude.cli.RunOutcome;
import dev.sessionops.claude.cli.StreamJsonParser;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.history.Completion;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.HistoryStoreUnavailableException;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.kube.StatusWriter;
import dev.sessionops.claude.observability.OperatorMetrics;
import dev.sessionops.claude.session.MessageQueue;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

/**
 * The life of one ClaudeMessage: Pending (waiting for its session or inputs) → Queued (behind earlier messages of
 * its session) → Running (its Job exists) → Succeeded | Failed | Cancelled. A finished message is never touched
 * again, which (with the deterministic Job name and the history's applied set) makes a replay harmless.
 *
 * <p>The state machine as this class implements it. Phases: none (new), Pending, Queued, Running, and the terminal
 * Succeeded, Failed, Cancelled. Events: the message itself, its Job ({@code jobs} informer), its session
 * ({@code sessions}), any sibling of the session changing phase ({@code siblings}), and timers (10 s while waiting
 * for inputs or Redis, 5 s while queued). Guards, tried in this order:
 * <table>
 * <tr><th>from</th><th>guard</th><th>to (reason)</th></tr>
 * <tr><td>terminal</td><td>always</td><td>unchanged</td></tr>
 * <tr><td>any</td><td>status names a Job that neither cache nor API server has</td><td>Cancelled (JobDeleted)</td></tr>
 * <tr><td>any</td><td>Job unfinished, phase Running</td><td>Running, follow its live events</td></tr>
 * <tr><td>any</td><td>Job unfinished, phase not Running (status write lost)</td><td>Running (JobCreated), adopted from
 * the Job</td></tr>
 * <tr><td>any</td><td>Job finished, Redis down</td><td>unchanged phase, condition HistoryStoreUnavailable, retry</td></tr>
 * <tr><td>any</td><td>Job finished, recorded (now or before)</td><td>Verdict: Succeeded | Failed</td></tr>
 * <tr><td>no Job</td><td>sessionRef names no session</td><td>Pending (SessionNotFound)</td></tr>
 * <tr><td>no Job</td><td>phase Queued, not at the head (cache), session not suspended</td><td>Queued (no re-plan)</td></tr>
 * <tr><td>no Job</td><td>planner: missing ConfigMap / Secret / key</td><td>Pending (its reason), retry</td></tr>
 * <tr><td>no Job</td><td>planner: invalid input</td><td>Failed (its reason)</td></tr>
 * <tr><td>no Job</td><td>session suspended</td><td>Queued (SessionSuspended)</td></tr>
 * <tr><td>no Job</td><td>not at the head (cache), or the live LIST of messages and Jobs says not its turn
 * ({@link SessionTurn})</td><td>Queued (Queued), poll 5 s</td></tr>
 * <tr><td>no Job</td><td>Redis down reading the resume id</td><td>Pending (HistoryStoreUnavailable), retry</td></tr>
 * <tr><td>no Job</td><td>otherwise: create the Job (409 is the same run)</td><td>Running (JobCreated)</td></tr>
 * </table>
 */
@ControllerConfiguration(name = "claudemessage")
@RBACRule(apiGroups = "batch", resources = "jobs", verbs = { "get", "list", "watch", "create" })
@RBACRule(apiGroups = "", resources = "pods", verbs = { "get", "list" })
@RBACRule(apiGroups = "", resources = "pods/log", verbs = { "get" })
@RBACRule(apiGroups = "", resources = { "configmaps", "secrets" }, verbs = { "get" })
@RBACRule(apiGroups = "", resources = "events", verbs = { "create" })
@RBACRule(apiGroups = ClaudeSession.GROUP, resources = "claudesessions", verbs = { "get", "list", "watch" })
// creating the leader-election Lease (see ClaudeSessionReconciler for reading and renewing it)
@RBACRule(apiGroups = "coordination.k8s.io", resources = "leases", verbs = { "create" })
// the read API (dev.sessionops.claude.http): whether the user the front proxy names may get claudesessions /
// claudemessages in the namespace asked about (SubjectAccessReview), and 404 for a missing namespace
@RBACRule(apiGroups = "authorization.k8s.io", resources = "subjectaccessreviews", verbs = { "create" })
@RBACRule(apiGroups = "", resources = "namespaces", verbs = { "get" })
public class ClaudeMessageReconciler implements Reconciler<ClaudeMessage>, Cleaner<ClaudeMessage> {
    private static final Logger LOG = Logger.getLogger(ClaudeMessageReconciler.class);
    static final String SUCCEEDED = "Succeeded";
    static final String BY_SESSION = "bySession";
    static final String RESUMED_FROM_ANNOTATION = "claude.sessionops.dev/resumed-from";
    /** How often a message waiting for a Secret, ConfigMap or Redis looks again. */
    static final Duration RECHECK = Duration.ofSeconds(10);
    /** A safety net for the queue: earlier messages finishing also wake this one through the informer. */
    static final Duration QUEUE_RECHECK = Duration.ofSeconds(5);

    private final RunPlanner planner;
    private final HistoryStore history;
    private final JobLogs logs;
    private final EventRecorder events;
    private final OperatorConfig config;
    private final OperatorMetrics metrics;
    private final EventFollower liveEvents;

    public ClaudeMessageReconciler(RunPlanner planner, HistoryStore history, JobLogs logs, EventRecorder events,
            OperatorConfig config, OperatorMetrics metrics, EventFollower liveEvents) {
        this.planner = planner;
        this.history = history;
        this.logs = logs;
        this.events = events;
        this.config = config;
        this.metrics = metrics;
        this.liveEvents = liveEvents;
    }

    @Override
    public List<EventSource<?, ClaudeMessage>> prepareEventSources(EventSourceContext<ClaudeMessage> context) {
        var primaries = context.getPrimaryCache();
        metrics.countMessagesIn(primaries::list);
        primaries.addIndexer(BY_SESSION, m -> m.getSpec() == null || m.getSpec().getSessionRef() == null ? List.of()
                : List.of(sessionIndexKey(m.getMetadata().getNamespace(), m.getSpec().getSessionRef().getName())));

        var jobs = new InformerEventSource<>(InformerEventSourceConfiguration.from(Job.class, ClaudeMessage.class)
                .withName("jobs")
                .withLabelSelector(dev.sessionops.claude.Labels.MANAGED_BY + "=" + dev.sessionops.claude.Labels.OPERATOR)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ClaudeMessage.class, false))
                .build(), context);

        // A session appearing (or resuming from suspend) wakes the messages that wait for it.
        var sessions = new InformerEventSource<>(InformerEventSourceConfiguration.from(ClaudeSession.class, ClaudeMessage.class)
                .withName("sessions")
                .withSecondaryToPrimaryMapper(s -> toIds(primaries.byIndex(BY_SESSION,
                        sessionIndexKey(s.getMetadata().getNamespace(), s.getMetadata().getName())), null))
                .withPrimaryToSecondaryMapper((ClaudeMessage m) -> m.getSpec() == null || m.getSpec().getSessionRef() == null
                        ? Set.of()
                        : Set.of(new ResourceID(m.getSpec().getSessionRef().getName(), m.getMetadata().getNamespace())))
                .build(), context);

        // A message finishing wakes the next one in its session's queue.
        var siblings = new InformerEventSource<>(InformerEventSourceConfiguration.from(ClaudeMessage.class, ClaudeMessage.class)
                .withName("siblings")
                .withOnUpdateFilter((oldM, newM) -> phaseOf(oldM) != phaseOf(newM))
                .withSecondaryToPrimaryMapper(m -> m.getSpec() == null || m.getSpec().getSessionRef() == null ? Set.of()
                        : toIds(primaries.byIndex(BY_SESSION,
                                sessionIndexKey(m.getMetadata().getNamespace(), m.getSpec().getSessionRef().getName())), m))
                .build(), context);
        return List.of(jobs, sessions, siblings);
    }

    @Override
    public UpdateControl<ClaudeMessage> reconcile(ClaudeMessage message, Context<ClaudeMessage> context) {
        ClaudeMessageStatus status = ensureStatus(message);
        if (status.getPhase() != null && status.getPhase().isTerminal()) {
            return UpdateControl.noUpdate();
        }
        Optional<Job> job = context.getSecondaryResource(Job.class);
        if (job.isEmpty() && status.getJobName() != null) {
            // The informer may not have seen a Job we just created; ask the API server before concluding it is gone.
            job = Optional.ofNullable(context.getClient().batch().v1().jobs()
                    .inNamespace(message.getMetadata().getNamespace()).withName(status.getJobName()).get());
            if (job.isEmpty()) {
                return endWithoutRun(message, MessagePhase.Cancelled, Reasons.JOB_DELETED,
                        "Job " + status.getJobName() + " was deleted before it finished", context);
            }
        }
        if (job.isPresent()) {
            return running(message, job.get(), context);
        }
        return start(message, context);
    }

    private UpdateControl<ClaudeMessage> start(ClaudeMessage message, Context<ClaudeMessage> context) {
        String namespace = message.getMetadata().getNamespace();
        ClaudeSession session = null;
        if (message.getSpec().getSessionRef() != null) {
            session = context.getSecondaryResource(ClaudeSession.class).orElse(null);
            if (session == null) {
                return waiting(message, MessagePhase.Pending, Reasons.SESSION_NOT_FOUND,
                        "waiting for ClaudeSession " + message.getSpec().getSessionRef().getName(), null, context);
            }
            ensureOwnedBy(message, session, context);
        }

        List<ClaudeMessage> siblings = session == null ? List.of()
                : context.getPrimaryCache().byIndex(BY_SESSION, sessionIndexKey(namespace, session.getMetadata().getName()));
        boolean mayRun = session == null || MessageQueue.mayRun(message, siblings);
        if (!mayRun && message.getStatus().getPhase() == MessagePhase.Queued && !Boolean.TRUE.equals(session.getSpec().getSuspend())) {
            // checked when first seen; checked again when its turn comes: no re-reading its inputs while it waits
            return queued(message, session, siblings, context);
        }

        RunPlanner.PlannedRun plan;
        try {
            plan = planner.plan(message, session);
        } catch (MessageProblem p) {
            if (p.isWaiting()) {
                return waiting(message, MessagePhase.Pending, p.reason(), p.getMessage(), RECHECK, context);
            }
            return endWithoutRun(message, MessagePhase.Failed, p.reason(), p.getMessage(), context);
        }

        if (session != null) {
            String sessionName = session.getMetadata().getName();
            if (Boolean.TRUE.equals(session.getSpec().getSuspend())) {
                return waiting(message, MessagePhase.Queued, Reasons.SESSION_SUSPENDED,
                        "session " + sessionName + " is suspended", null, context);
            }
            if (!mayRun || !SessionTurn.confirmed(context.getClient(), message, session)) {
                return queued(message, session, siblings, context);
            }
        }

        String resumeFrom;
        try {
            resumeFrom = history.currentSessionId(conversationOf(message)).orElse(null);
        } catch (HistoryStoreUnavailableException e) {
            return waiting(message, MessagePhase.Pending, Reasons.HISTORY_STORE_UNAVAILABLE,
                    "cannot read the conversation from Redis: " + e.getMessage(), RECHECK, context);
        }

        Job job = JobSpecBuilder.build(plan.resuming(resumeFrom));
        if (resumeFrom != null) {
            job.getMetadata().getAnnotations().put(RESUMED_FROM_ANNOTATION, resumeFrom);
        }
        try {
            context.getClient().batch().v1().jobs().inNamespace(namespace).resource(job).create();
            LOG.infof("message %s/%s: created Job %s%s", namespace, message.getMetadata().getName(),
                    job.getMetadata().getName(), resumeFrom == null ? "" : " resuming " + resumeFrom);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            // Created by an earlier attempt (or another operator instance): the deterministic name makes it the same run.
        }
        ClaudeMessageStatus status = message.getStatus();
        status.setPhase(MessagePhase.Running);
        status.setJobName(job.getMetadata().getName());
        status.setResumedFrom(resumeFrom);
        status.setStartedAt(Conditions.now());
        status.setObservedGeneration(message.getMetadata().getGeneration());
        setCondition(message, Conditions.UNKNOWN, Reasons.JOB_CREATED, "running as Job " + job.getMetadata().getName());
        events.normal(message, Reasons.JOB_CREATED, "Started Job " + job.getMetadata().getName()
                + (resumeFrom == null ? "" : ", resuming Claude session " + resumeFrom));
        return writeStatus(message, context);
    }

    private UpdateControl<ClaudeMessage> queued(ClaudeMessage message, ClaudeSession session, List<ClaudeMessage> siblings,
            Context<ClaudeMessage> context) {
        return waiting(message, MessagePhase.Queued, Reasons.QUEUED, "waiting for " + MessageQueue.position(message, siblings)
                + " earlier message(s) of session " + session.getMetadata().getName(), QUEUE_RECHECK, context);
    }

    private UpdateControl<ClaudeMessage> running(ClaudeMessage message, Job job, Context<ClaudeMessage> context) {
        ClaudeMessageStatus status = message.getStatus();
        JobState state = JobState.of(job);
        if (!state.finished()) {
            // the run's live events for the HTTP API; idempotent, and resumes following after an operator restart
            liveEvents.follow(message, job.getMetadata().getName());
            if (status.getPhase() == MessagePhase.Running) {
                return UpdateControl.noUpdate();
            }
            // The Job exists but our status write was lost (e.g. a restart right after creating it): adopt it.
            status.setPhase(MessagePhase.Running);
            status.setJobName(job.getMetadata().getName());
            status.setResumedFrom(job.getMetadata().getAnnotations() == null ? null
                    : job.getMetadata().getAnnotations().get(RESUMED_FROM_ANNOTATION));
            status.setStartedAt(job.getMetadata().getCreationTimestamp());
            setCondition(message, Conditions.UNKNOWN, Reasons.JOB_CREATED, "running as Job " + job.getMetadata().getName());
            return writeStatus(message, context);
        }
        Optional<String> log = logs.read(job);
        liveEvents.runEnded(message, log.orElse(null)); // complete before the final status: subscribers then see all
        RunOutcome run = log.map(StreamJsonParser::parse).orElse(null);
        long timeout = job.getSpec().getActiveDeadlineSeconds() == null ? 0 : job.getSpec().getActiveDeadlineSeconds();
        Verdict verdict = Verdict.of(state, run, timeout);
        String completedAt = Conditions.now();
        String startedAt = status.getStartedAt() != null ? status.getStartedAt() : job.getMetadata().getCreationTimestamp();
        Completion completion = completion(message, job, run, verdict, startedAt, completedAt);
        boolean firstRecord;
        try {
            firstRecord = history.record(conversationOf(message), completion);
        } catch (HistoryStoreUnavailableException e) {
            if (!Conditions.find(status.getConditions(), SUCCEEDED).map(c -> Reasons.HISTORY_STORE_UNAVAILABLE.equals(c.getReason())).orElse(false)) {
                events.warning(message, Reasons.HISTORY_STORE_UNAVAILABLE, "Run finished; recording it waits for Redis: " + e.getMessage());
            }
            setCondition(message, Conditions.UNKNOWN, Reasons.HISTORY_STORE_UNAVAILABLE,
                    "the run finished; recording it in Redis is retried: " + e.getMessage());
            return writeStatus(message, context).rescheduleAfter(RECHECK);
        }
        Verdict.fill(status, run, config.resultMaxChars());
        status.setCompletedAt(completedAt);
        if (status.getDurationMs() == null && startedAt != null) {
            status.setDurationMs(Duration.between(Instant.parse(startedAt), Instant.parse(completedAt)).toMillis());
        }
        if (firstRecord) {
            // a replay (the status write of an earlier attempt was lost) was counted the first time
            metrics.runFinished(message, verdict.phase(), verdict.reason(), completion);
        }
        return finish(message, verdict.phase(), verdict.reason(), verdict.message(), context);
    }

    private Completion completion(ClaudeMessage message, Job job, RunOutcome run, Verdict verdict, String startedAt,
            String completedAt) {
        var usage = run == null ? null : run.usage();
        String reply = run == null ? null : (run.result() != null ? run.result() : run.assistantText());
        return new Completion(message.getMetadata().getUid(), message.getMetadata().getName(),
                verdict.phase() == MessagePhase.Succeeded,
                ClaudeCommand.promptOf(JobSpecBuilder.commandAsRun(job)),
                reply, run == null ? null : run.sessionId(), startedAt, completedAt,
                run == null ? 0 : run.runCostUsd(),
                usage == null ? 0 : usage.inputTokens(), usage == null ? 0 : usage.outputTokens(),
                usage == null ? 0 : usage.cacheCreationInputTokens(), usage == null ? 0 : usage.cacheReadInputTokens());
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
        if (phase == MessagePhase.Succeeded) {
            events.normal(message, reason, text);
        } else {
            events.warning(message, reason, text);
        }
        LOG.infof("message %s/%s: %s (%s)", message.getMetadata().getNamespace(), message.getMetadata().getName(), phase, reason);
        return writeStatus(message, context);
    }

    /** Ends a message that never ran; it is counted once the terminal status is written (a failed write retries). */
    private UpdateControl<ClaudeMessage> endWithoutRun(ClaudeMessage message, MessagePhase phase, String reason,
            String text, Context<ClaudeMessage> context) {
        UpdateControl<ClaudeMessage> control = finish(message, phase, reason, text, context);
        metrics.endedWithoutRun(message, phase, reason);
        return control;
    }

    /** A non-final state; the Event is written only when the reason changes, so waiting never floods events. */
    private UpdateControl<ClaudeMessage> waiting(ClaudeMessage message, MessagePhase phase, String reason, String text,
            Duration recheck, Context<ClaudeMessage> context) {
        ClaudeMessageStatus status = message.getStatus();
        boolean newReason = !Conditions.find(status.getConditions(), SUCCEEDED).map(c -> reason.equals(c.getReason())).orElse(false);
        boolean changed = status.getPhase() != phase | setCondition(message, Conditions.UNKNOWN, reason, text);
        status.setPhase(phase);
        status.setObservedGeneration(message.getMetadata().getGeneration());
        if (newReason) {
            if (Reasons.QUEUED.equals(reason)) {
                events.normal(message, reason, text);
            } else {
                events.warning(message, reason, text);
            }
        }
        UpdateControl<ClaudeMessage> control = changed ? writeStatus(message, context) : UpdateControl.noUpdate();
        return recheck == null ? control : control.rescheduleAfter(recheck);
    }

    /** A merge patch of the status alone (JOSDK's diff patch fails on the mock server for objects created without one). */
    private static UpdateControl<ClaudeMessage> writeStatus(ClaudeMessage message, Context<ClaudeMessage> context) {
        StatusWriter.writePrimary(context, message, message.getStatus());
        return UpdateControl.noUpdate();
    }

    private boolean setCondition(ClaudeMessage message, String status, String reason, String text) {
        return Conditions.set(message.getStatus().getConditions(), SUCCEEDED, status, reason, text,
                message.getMetadata().getGeneration());
    }

    /** Messages of a session are owned by it, so deleting the session deletes them (and through them their Jobs). */
    private static void ensureOwnedBy(ClaudeMessage message, ClaudeSession session, Context<ClaudeMessage> context) {
        boolean owned = message.getMetadata().getOwnerReferences() != null && message.getMetadata().getOwnerReferences()
                .stream().anyMatch(o -> session.getMetadata().getUid().equals(o.getUid()));
        if (owned) {
            return;
        }
        var owner = new OwnerReferenceBuilder().withApiVersion(session.getApiVersion()).withKind(session.getKind())
                .withName(session.getMetadata().getName()).withUid(session.getMetadata().getUid())
                .withBlockOwnerDeletion(false).withController(false).build();
        context.getClient().resources(ClaudeMessage.class).inNamespace(message.getMetadata().getNamespace())
                .withName(message.getMetadata().getName())
                .edit(m -> {
                    m.getMetadata().getOwnerReferences().removeIf(o -> owner.getUid().equals(o.getUid()));
                    m.getMetadata().getOwnerReferences().add(owner);
                    return m;
                });
    }

    @Override
    public DeleteControl cleanup(ClaudeMessage message, Context<ClaudeMessage> context) {
        liveEvents.forget(message);
        if (message.getSpec() != null && message.getSpec().getSessionRef() == null) {
            // A one-shot message is its own conversation: its history goes with it.
            try {
                history.delete(conversationOf(message));
            } catch (HistoryStoreUnavailableException e) {
                return DeleteControl.noFinalizerRemoval().rescheduleAfter(RECHECK);
            }
        }
        return DeleteControl.defaultDelete();
    }

    static ConversationKey conversationOf(ClaudeMessage message) {
        return ConversationKey.of(message);
    }

    private static ClaudeMessageStatus ensureStatus(ClaudeMessage message) {
        if (message.getStatus() == null) {
            message.setStatus(new ClaudeMessageStatus());
        }
        if (message.getStatus().getConditions() == null) {
            message.getStatus().setConditions(new java.util.ArrayList<>());
        }
        return message.getStatus();
    }

    static String sessionIndexKey(String namespace, String session) {
        return namespace + "/" + session;
    }

    private static MessagePhase phaseOf(ClaudeMessage m) {
        return m.getStatus() == null ? null : m.getStatus().getPhase();
    }

    private static Set<ResourceID> toIds(List<ClaudeMessage> messages, ClaudeMessage except) {
        return messages.stream()
                .filter(m -> except == null || !m.getMetadata().getName().equals(except.getMetadata().getName()))
                .map(ResourceID::fromResource).collect(Collectors.toSet());
    }
}
