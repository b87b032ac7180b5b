package dev.sessionops.claude.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.sessionops.claude.queue.MessageQueue;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.HistoryStoreUnavailableException;
import dev.sessionops.claude.history.ResumePoint;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.kube.StaleResourceException;
import dev.sessionops.claude.kube.StatusWriter;
import dev.sessionops.claude.message.FullMessages;
import dev.sessionops.claude.message.JobRefusal;
import dev.sessionops.claude.message.PromptConfigMap;
import dev.sessionops.claude.message.JobSpecBuilder;
import dev.sessionops.claude.message.MessageProblem;
import dev.sessionops.claude.message.Reasons;
import dev.sessionops.claude.message.RunPlanner;
import dev.sessionops.claude.message.Waiting;
import dev.sessionops.claude.observability.OperatorMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.api.reconciler.dependent.managed.ManagedWorkflowAndDependentResourceContext;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;

/**
 * Starts the head of a session's queue. This is where a session's messages run strictly one at a time, exactly once:
 * <ol>
 * <li>Only this class creates the Job of a message that has a session, and only from the session's reconciler,
 * which the SDK never runs twice at once for one session: there is no second dispatcher to race with.</li>
 * <li>It starts only the head ({@link MessageQueue}), and only when no Job of the session is unfinished
 * ({@link SessionDispatch}). The Job is created by the session's workflow ({@link HeadJobDependent}) into the
 * session's Job cache, so the next reconcile sees it even before the watch does; a message ends (terminal phase) only after its Job finished, so the head
 * cannot move on while a run is under way. A new leader starts from freshly listed caches.</li>
 * <li>The Job's name is fixed by the message (name and UID): a second create of the same run is a 409, not a second
 * run.</li>
 * <li>The message's own reconciler adopts the Job, follows it and records the outcome once: the history's applied
 * set makes a replayed record a no-op, and a terminal phase is never left.</li>
 * </ol>
 * Per dispatch the API calls are a fixed few (the planner's GETs, the claim, the creates), whatever the namespace holds;
 * the head's prompt comes from the ClaudeMessage controller's cache ({@link FullMessages}), not from a read.
 * This class plans (pure of the API but for the planner's reads and the head's status when it cannot start); the
 * workflow creates.
 */
final class SessionDispatcher {
    static final Duration RECHECK = Duration.ofSeconds(10);

    private final RunPlanner planner;
    private final FullMessages fullMessages;
    private final HistoryStore history;
    private final EventRecorder events;
    private final OperatorMetrics metrics;
    private final Duration pendingTimeout;
    private final RunSlots slots;

    /** @param pendingTimeout how long the head may wait for missing inputs before it fails (cso.pending-timeout) */
    SessionDispatcher(RunPlanner planner, FullMessages fullMessages, HistoryStore history, EventRecorder events,
            OperatorMetrics metrics, Duration pendingTimeout, RunSlots slots) {
        this.pendingTimeout = pendingTimeout;
        this.slots = slots;
        this.planner = planner;
        this.fullMessages = fullMessages;
        this.history = history;
        this.events = events;
        this.metrics = metrics;
    }

    /**
     * A start: the head (the session's copy, without its prompt), its prompt's ConfigMap and its Job, the Claude
     * session it resumes (null: a new one).
     */
    record Start(ClaudeMessage head, ConfigMap prompt, Job job, String resumeFrom) {
    }

    /** Start (its Job for the workflow to create), or look again after {@code recheck} (null: on the next event). */
    record Plan(Start start, Duration recheck) {
        static Plan later(Duration recheck) {
            return new Plan(null, recheck);
        }
    }

    /**
     * Plans the head's run; when it cannot start, its status says why. {@code head} is the session's copy, without its
     * prompt: the run is planned from the whole message; the head's status is the copy's (what the session decided on).
     */
    Plan plan(ClaudeSession session, ClaudeMessage head, KubernetesClient client) {
        Optional<ClaudeMessage> whole = fullMessages.of(head, client);
        if (whole.isEmpty()) {
            return Plan.later(null); // ended, deleted or replaced meanwhile: the event that says so reconciles again
        }
        RunPlanner.PlannedRun plan;
        try {
            plan = planner.plan(whole.get(), session); // its inputs may have changed since it was queued
        } catch (MessageProblem p) {
            if (p.isWaiting()) {
                Duration waited = Duration.between(Waiting.since(head, p.reason()), Instant.now());
                if (waited.compareTo(pendingTimeout) < 0) {
                    hold(head, MessagePhase.Pending, p.reason(), p.getMessage(), client);
                    return Plan.later(RECHECK);
                }
                // it would block its session for good: fail it, and the next message gets its turn
                String text = "waited " + pendingTimeout.toSeconds() + "s (cso.pending-timeout) for: " + p.getMessage();
                if (hold(head, MessagePhase.Failed, Reasons.PENDING_TIMEOUT, text, client)) {
                    metrics.endedWithoutRun(head, MessagePhase.Failed, Reasons.PENDING_TIMEOUT);
                }
                return Plan.later(null);
            }
            if (hold(head, MessagePhase.Failed, p.reason(), p.getMessage(), client)) {
                metrics.endedWithoutRun(head, MessagePhase.Failed, p.reason());
            }
            return Plan.later(null);
        }
        ResumePoint resume;
        try {
            ConversationKey key = ConversationKey.of(session);
            HistoryStore.NextTurn next = history.nextTurn(key, head.getMetadata().getUid());
            if (next.recorded()) {
                // its run was recorded but no status write of it landed and its Job is gone: it must not run again;
                // its own reconciler states the outcome from Redis, and the queue moves on
                return Plan.later(RECHECK);
            }
            resume = next.resume();
            if (resume != null && "keep".equals(session.getSpec().getOnFailure())) {
                resume = new ResumePoint(resume.sessionId(), null); // at the end: failed prompts go again
            }
        } catch (HistoryStoreUnavailableException e) {
            hold(head, MessagePhase.Pending, Reasons.HISTORY_STORE_UNAVAILABLE,
                    "cannot read the conversation from Redis: " + e.getMessage(), client);
            return Plan.later(RECHECK);
        }
        RunSlots.Answer slot = slots.acquire(new RunSlots.Candidate(head.getMetadata().getNamespace(),
                session.getMetadata().getName(), true, head.getMetadata().getUid()));
        if (!slot.granted()) {
            // said once, with its place then; the session is woken when a slot is its head's (no polling, no rewrites)
            if (!Reasons.CONCURRENCY_LIMIT.equals(reasonOf(head))) {
                hold(head, MessagePhase.Queued, Reasons.CONCURRENCY_LIMIT, "waiting for a run slot (" + slot.why()
                        + "): number " + slot.place() + " in its namespace's line when it joined", client);
            }
            return Plan.later(null);
        }
        return new Plan(new Start(head, PromptConfigMap.of(plan.job()), JobSpecBuilder.forRun(plan, resume),
                resume == null ? null : resume.sessionId()), null);
    }

    /**
     * Runs the session's workflow (state volume, head Job). A head Job the API server refused is the head's to report
     * (waiting for a quota, or failed), and the session looks again after the backoff (null: not waiting); any other
     * error is rethrown for the SDK's retry.
     */
    Duration reconcileWorkflow(ManagedWorkflowAndDependentResourceContext workflow, KubernetesClient client) {
        Map<String, Exception> errors;
        try {
            WorkflowReconcileResult result = workflow.reconcileManagedWorkflow();
            errors = result == null ? Map.of() : result.getErroredDependents().entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue));
        } catch (AggregatedOperatorException e) {
            errors = e.getAggregatedExceptions();
        }
        if (errors.isEmpty()) {
            return null;
        }
        Optional<JobRefusal> refusal = errors.size() == 1 && errors.containsKey(HeadJobDependent.NAME)
                ? JobRefusal.in(errors.get(HeadJobDependent.NAME)) : Optional.empty();
        if (refusal.isEmpty()) {
            throw new AggregatedOperatorException("Exception(s) during workflow execution.", errors);
        }
        ClaudeMessage head = workflow.getMandatory(HeadJobDependent.PLANNED, Start.class).head();
        if (!refusal.get().waiting()) {
            if (hold(head, MessagePhase.Failed, refusal.get().reason(), refusal.get().message(), client)) {
                metrics.endedWithoutRun(head, MessagePhase.Failed, refusal.get().reason());
            }
            return null;
        }
        Duration waited = Duration.between(Waiting.since(head, refusal.get().reason()), Instant.now());
        hold(head, MessagePhase.Pending, refusal.get().reason(), refusal.get().message(), client);
        return JobRefusal.backoff(waited);
    }

    /** The reason of the message's Succeeded condition (null: none), whatever other conditions it has. */
    private static String reasonOf(ClaudeMessage m) {
        return m.getStatus() == null ? null
                : Conditions.find(m.getStatus().getConditions(), "Succeeded").map(c -> c.getReason()).orElse(null);
    }


    /**
     * The head cannot start: its status says why (its own reconciler is not woken by this; the session retries).
     * The write is conditional; when the session's copy of the head is behind (its reconciler just wrote it), the
     * decision — which rests on the plan and the API server's answer, not on the head's status — is written once more
     * on the current version, unless the head has moved on meanwhile (running or ended).
     */
    private boolean hold(ClaudeMessage head, MessagePhase phase, String reason, String text, KubernetesClient client) {
        try {
            return holdAt(head, head, phase, reason, text, client);
        } catch (StaleResourceException e) {
            ClaudeMessage current = client.resources(ClaudeMessage.class).inNamespace(head.getMetadata().getNamespace())
                    .withName(head.getMetadata().getName()).get();
            MessagePhase now = current == null || current.getStatus() == null ? null : current.getStatus().getPhase();
            if (current == null || !head.getMetadata().getUid().equals(current.getMetadata().getUid())
                    || now == MessagePhase.Running || (now != null && now.isTerminal())) {
                return false;
            }
            try {
                return holdAt(head, current, phase, reason, text, client);
            } catch (StaleResourceException again) {
                return false; // the session looks again on the next event or recheck
            }
        }
    }

    private boolean holdAt(ClaudeMessage head, ClaudeMessage read, MessagePhase phase, String reason, String text,
            KubernetesClient client) {
        // the session's copy has no prompt: only its status is written (a JSON patch of the status subresource), never
        // the object, which would erase the prompt
        ClaudeMessage message = client.getKubernetesSerialization().clone(read);
        ClaudeMessageStatus status = message.getStatus() == null ? new ClaudeMessageStatus() : message.getStatus();
        if (status.getConditions() == null) {
            status.setConditions(new java.util.ArrayList<>());
        }
        boolean terminal = phase.isTerminal();
        boolean changed = Conditions.set(status.getConditions(), "Succeeded", terminal ? Conditions.FALSE : Conditions.UNKNOWN,
                reason, text, message.getMetadata().getGeneration()) | status.getPhase() != phase;
        if (!changed) {
            return false;
        }
        status.setPhase(phase);
        // the wait's start stays while the reason does (Pending on the same thing), so a timeout and a backoff can grow
        status.setWaitingSince(phase == MessagePhase.Pending ? Waiting.since(head, reason).toString() : null);
        if (terminal) {
            status.setCompletedAt(Conditions.now());
        }
        StatusWriter.write(client, message, status);
        events.warning(head, reason, text);
        return true;
    }

}
