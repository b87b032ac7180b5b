package dev.sessionops.claude.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.sessionops.claude.queue.MessageQueue;
import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus;
import dev.sessionops.claude.api.v1alpha1.SessionPhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.ConversationSummary;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.HistoryStoreUnavailableException;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.kube.ReconcileErrors;
import dev.sessionops.claude.kube.SideRequests;
import dev.sessionops.claude.kube.StaleResourceException;
import dev.sessionops.claude.kube.StatusWriter;
import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.message.FullMessages;
import dev.sessionops.claude.message.JobSpecBuilder;
import dev.sessionops.claude.message.JobState;
import dev.sessionops.claude.message.NamespaceGuard;
import dev.sessionops.claude.message.PromptConfigMaps;
import dev.sessionops.claude.message.RunPlanner;
import dev.sessionops.claude.queue.SessionOwnership;
import dev.sessionops.claude.observability.OperatorMetrics;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Keeps a session's state volume, starts its messages one at a time ({@link SessionDispatcher}: the SDK never
 * reconciles one session twice at once, so this is where turn-taking needs no locks), mirrors its conversation
 * (Redis) and its messages into the status, and on delete removes its Redis keys (the one piece of state Kubernetes
 * garbage collection cannot reach).
 */
@ControllerConfiguration(name = "claudesession")
// the state volume always; the head's Job when the reconciler planned one (explicit: planning comes first)
// (a refused head Job is reported on the head, not thrown: handleExceptionsInReconciler)
@Workflow(explicitInvocation = true, handleExceptionsInReconciler = true, dependents = {
        @Dependent(name = "state-volume", type = StateVolumeDependent.class),
        @Dependent(name = HeadJobDependent.NAME, type = HeadJobDependent.class, dependsOn = "state-volume",
                reconcilePrecondition = HeadJobDependent.Planned.class, useEventSourceWithName = "jobs") })
@RBACRule(apiGroups = "", resources = "events", verbs = { "create" })
// starting the queue head: its Job, and the planner's reads
@RBACRule(apiGroups = "batch", resources = "jobs", verbs = { "get", "list", "watch", "create" })
// a run's prompt, created before its Job (PromptConfigMaps) and read back by name for the history; promptFrom, mcpConfig
@RBACRule(apiGroups = "", resources = "configmaps", verbs = { "get", "create" })
@RBACRule(apiGroups = ClaudeSession.GROUP, resources = "claudemessages", verbs = { "get", "list", "watch" })
// the leader-election Lease (kube/LeaderElection; the name is cso.leader-election.lease-name's default): only that one
// Lease may be read and renewed (the client renews by patch); create cannot be narrowed by name in RBAC, and the SDK merges rules on the same
// resource (which would narrow create too), so ClaudeMessageReconciler's role grants create
@RBACRule(apiGroups = "coordination.k8s.io", resources = "leases", verbs = { "get", "update", "patch" },
        resourceNames = "claude-session-operator")
public class ClaudeSessionReconciler implements Reconciler<ClaudeSession>, Cleaner<ClaudeSession> {
    private static final Logger LOG = Logger.getLogger(ClaudeSessionReconciler.class);
    static final String READY = "Ready";
    static final Duration RECHECK = Duration.ofSeconds(10);
    /** After a lost conditional write, in case the newer version's event was already folded into this reconcile. */
    static final Duration STALE_RETRY = Duration.ofSeconds(2);

    private final HistoryStore history;
    private final EventRecorder events;
    private final OperatorMetrics metrics;
    private final SessionDispatcher dispatcher;
    private final NamespaceGuard namespaces;

    private final RunSlots slots;
    private final SideRequests sideRequests;

    public ClaudeSessionReconciler(HistoryStore history, EventRecorder events, OperatorMetrics metrics,
            RunPlanner planner, FullMessages fullMessages, OperatorConfig config, RunSlots slots,
            SideRequests sideRequests) {
        this.sideRequests = sideRequests;
        this.history = history;
        this.events = events;
        this.metrics = metrics;
        this.slots = slots;
        this.dispatcher = new SessionDispatcher(planner, fullMessages, history, events, metrics, config.pendingTimeout(),
                slots);
        this.namespaces = planner.namespaces();
    }

    @Override
    public List<EventSource<?, ClaudeSession>> prepareEventSources(EventSourceContext<ClaudeSession> context) {
        // the session's messages, without their prompts (planning takes the whole message from FullMessages)
        List<EventSource<?, ClaudeSession>> sources = new ArrayList<>();
        PromptlessMessages.sources(context.getControllerConfiguration().getEffectiveNamespaces())
                .forEach(c -> sources.add(new InformerEventSource<>(c, context)));
        // the session's Jobs, found by the annotation with its full name (labels may be shortened); Jobs created
        // before the annotation existed by their label
        var jobs = new InformerEventSource<>(InformerEventSourceConfiguration.from(Job.class, ClaudeSession.class)
                .withName("jobs")
                .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
                .withSecondaryToPrimaryMapper(j -> {
                    String session = valueOf(j.getMetadata().getAnnotations(), JobSpecBuilder.SESSION_ANNOTATION);
                    if (session == null) {
                        session = valueOf(j.getMetadata().getLabels(), Labels.SESSION);
                    }
                    return session == null ? Set.of() : Set.of(new ResourceID(session, j.getMetadata().getNamespace()));
                })
                .build(), context);
        // a run slot freed for the session's head (cso.limits.*): the session starts it
        var slotFreed = new SimpleInboundEventSource<ClaudeSession>("run-slots");
        slots.onGrant(c -> {
            if (c.session()) {
                slotFreed.propagateEvent(new ResourceID(c.owner(), c.namespace()));
            }
        });
        sources.add(jobs);
        sources.add(slotFreed);
        return sources;
    }

    @Override
    public UpdateControl<ClaudeSession> reconcile(ClaudeSession session, Context<ClaudeSession> context) {
        try {
            return reconcileCurrent(session, context);
        } catch (StaleResourceException e) {
            // a conditional write lost (another replica, or a cache behind): the newer version reconciles again
            LOG.debugf("%s; reconciling the newer version", e.getMessage());
            return UpdateControl.<ClaudeSession> noUpdate().rescheduleAfter(STALE_RETRY);
        }
    }

    private UpdateControl<ClaudeSession> reconcileCurrent(ClaudeSession session, Context<ClaudeSession> context) {
        ClaudeSessionStatus before = SessionStatuses.copy(session.getStatus());
        ClaudeSessionStatus status = SessionStatuses.of(session);
        ReconcileErrors.clear(status.getConditions()); // written with the rest of the status when it changed
        Long generation = session.getMetadata().getGeneration();
        boolean suspended = Boolean.TRUE.equals(session.getSpec().getSuspend());

        List<ClaudeMessage> messages = new ArrayList<>(context.getSecondaryResources(ClaudeMessage.class));
        messages.removeIf(m -> SessionOwnership.ofAnotherIncarnation(m, session)); // an earlier session's, not ours
        List<Job> jobs = List.copyOf(context.getSecondaryResources(Job.class));
        Duration recheck = null;
        boolean resetting = resetPending(session);
        if (resetting && resetConversation(session, context)) {
            before = SessionStatuses.copy(status);
            resetting = false;
        } else if (resetting) {
            recheck = RECHECK; // a run under way finishes first (or Redis is back)
        }
        java.util.Optional<String> refused = namespaces.refusal(session.getMetadata().getNamespace());
        boolean conflict = refused.isEmpty() && stateVolume(session, context) == StateVolumes.Ownership.FOREIGN;
        var decision = refused.isPresent() ? SessionDispatch.Decision.hold(refused.get())
                : conflict ? SessionDispatch.Decision.hold("the state volume is not this session's")
                : resetting ? SessionDispatch.Decision.hold("a new conversation starts after the run under way")
                : SessionDispatch.next(suspended, status.getActiveMessage(), messages, jobs);
        // the summary before a claim, so the claim's status write carries it: one session write per dispatch
        status.setCreated(session.getMetadata().getCreationTimestamp());
        status.setObservedGeneration(generation);
        try {
            ConversationSummary summary = history.summary(ConversationKey.of(session));
            status.setCurrentSessionId(summary.currentSessionId());
            status.setSessionChain(summary.chain());
            status.setMessageCount(summary.messageCount());
            status.setLastActive(summary.lastActive());
            status.setTotalCostUsd(summary.totalCostUsd());
            status.setUsage(new Usage(summary.inputTokens(), summary.outputTokens(), summary.cacheCreationInputTokens(),
                    summary.cacheReadInputTokens()));
            if (!conflict && refused.isEmpty()) {
                Conditions.set(status.getConditions(), READY, Conditions.TRUE, "Ready", "state volume requested, history reachable",
                        generation);
            }
        } catch (HistoryStoreUnavailableException e) {
            if (Conditions.set(status.getConditions(), READY, Conditions.FALSE, "HistoryStoreUnavailable", e.getMessage(), generation)) {
                events.warning(session, "HistoryStoreUnavailable", e.getMessage());
            }
            recheck = earliest(recheck, RECHECK);
        }
        if (decision.start() != null) {
            SessionDispatcher.Plan plan = dispatcher.plan(session, decision.start(), context.getClient());
            if (plan.start() != null) {
                // the prompt's ConfigMap while the claim is written: it is the message's and named by its content, so
                // a lost claim leaves one that the next try takes as its own; the Job waits for both
                SideRequests.Pending prompt = sideRequests.start(
                        () -> PromptConfigMaps.create(context.getClient(), plan.start().prompt()));
                if (claim(session, plan.start().head(), context)) {
                    before = SessionStatuses.copy(status);
                    var workflow = context.managedWorkflowAndDependentResourceContext();
                    workflow.put(HeadJobDependent.PLANNED, plan.start());
                    workflow.put(HeadJobDependent.PROMPT, prompt);
                }
            }
            recheck = earliest(recheck, plan.recheck());
        }
        if (refused.isPresent()) {
            // no state volume either: nothing of the session's is made there
            if (Conditions.set(status.getConditions(), READY, Conditions.FALSE, "NamespaceRefused", refused.get(), generation)) {
                events.warning(session, "NamespaceRefused", refused.get());
            }
        } else if (conflict) {
            // nothing of the claim is used, nothing is created in its place: a person decides
            String claim = JobNames.stateClaim(session.getMetadata().getName());
            String message = "PersistentVolumeClaim " + claim + " exists but is not this session's (no controller owner"
                    + " reference to its uid): its contents could be anyone's, so no message runs. Delete the claim (or"
                    + " the session and create it under another name); an earlier session's claim goes by itself";
            if (Conditions.set(status.getConditions(), READY, Conditions.FALSE, "StateVolumeConflict", message, generation)) {
                events.warning(session, "StateVolumeConflict", message);
            }
            recheck = earliest(recheck, RECHECK);
        } else {
            var workflow = context.managedWorkflowAndDependentResourceContext();
            recheck = earliest(recheck, dispatcher.reconcileWorkflow(workflow, context.getClient()));
        }
        metrics.sessionQueue(session.getMetadata().getNamespace(), session.getMetadata().getName(),
                MessageQueue.waiting(messages));
        status.setActiveMessage(activeMessage(status.getActiveMessage(), messages));
        status.setPhase(suspended ? SessionPhase.Suspended
                : status.getActiveMessage() != null ? SessionPhase.Running : SessionPhase.Idle);

        if (expired(session, status)) {
            LOG.infof("session %s/%s idle for more than %ds: deleting it", session.getMetadata().getNamespace(),
                    session.getMetadata().getName(), session.getSpec().getTtlSecondsAfterIdle());
            events.normal(session, "IdleExpired", "Idle for more than " + session.getSpec().getTtlSecondsAfterIdle() + "s");
            context.getClient().resource(session).delete();
            return UpdateControl.noUpdate();
        }
        recheck = earliest(recheck, untilExpiry(session, status));
        // each write wakes every watcher: only a status that differs from what was read (or claimed)
        if (!status.equals(before)) {
            StatusWriter.writePrimary(context, session);
        }
        UpdateControl<ClaudeSession> control = UpdateControl.noUpdate();
        return recheck == null ? control : control.rescheduleAfter(recheck);
    }

    /**
     * Whose the claim with the state volume's name is: the informer's copy (it holds the operator's labelled claims),
     * else a live read, since a claim someone else made need not carry the labels (one GET, only while no claim of
     * ours is cached: before the first one is created, and while a conflict lasts).
     */
    private static StateVolumes.Ownership stateVolume(ClaudeSession session, Context<ClaudeSession> context) {
        String name = JobNames.stateClaim(session.getMetadata().getName());
        PersistentVolumeClaim cached = context.getSecondaryResources(PersistentVolumeClaim.class).stream()
                .filter(c -> name.equals(c.getMetadata().getName())).findFirst().orElse(null);
        if (cached != null && StateVolumes.ownership(cached, session) == StateVolumes.Ownership.OURS) {
            return StateVolumes.Ownership.OURS;
        }
        PersistentVolumeClaim live = context.getClient().persistentVolumeClaims()
                .inNamespace(session.getMetadata().getNamespace()).withName(name).get();
        return StateVolumes.ownership(live, session);
    }

    /** spec.resetConversation asks for a new conversation the status has not acknowledged. */
    private static boolean resetPending(ClaudeSession session) {
        String asked = session.getSpec().getResetConversation();
        return asked != null && !asked.equals(session.getStatus().getConversationReset());
    }

    /**
     * Starts a new conversation when no run is under way (one resuming the old Claude session would move the
     * conversation back to it): the resume point goes, then the status acknowledges the request (a crash between
     * repeats the first step, harmlessly). The next message starts a new Claude session, which joins the chain.
     *
     * @return true when done; false when it has to wait (a run, Redis)
     */
    private boolean resetConversation(ClaudeSession session, Context<ClaudeSession> context) {
        List<ClaudeMessage> messages = new ArrayList<>(context.getSecondaryResources(ClaudeMessage.class));
        boolean running = activeMessage(session.getStatus().getActiveMessage(), messages) != null
                || context.getSecondaryResources(Job.class).stream().anyMatch(j -> !JobState.of(j).finished());
        if (running) {
            return false;
        }
        try {
            history.startNewChain(ConversationKey.of(session));
        } catch (HistoryStoreUnavailableException e) {
            return false;
        }
        session.getStatus().setConversationReset(session.getSpec().getResetConversation());
        StatusWriter.writePrimary(context, session);
        events.normal(session, "ConversationReset", "The next message starts a new conversation (spec.resetConversation "
                + session.getSpec().getResetConversation() + "); the history so far stays");
        LOG.infof("session %s/%s: new conversation requested (%s)", session.getMetadata().getNamespace(),
                session.getMetadata().getName(), session.getSpec().getResetConversation());
        return true;
    }

    /**
     * Takes the session's turn for {@code head} before its Job is created: {@code status.activeMessage}, written
     * conditionally on the version this reconcile read. Of two dispatchers that read the same session (a deposed
     * leader, a cache that missed a message) only one can win; the other's write is stale and it creates nothing.
     * A turn claimed before (the Job create was lost) is the head's already.
     *
     * @return true when the turn is the head's
     */
    private static boolean claim(ClaudeSession session, ClaudeMessage head, Context<ClaudeSession> context) {
        ClaudeSessionStatus status = session.getStatus();
        String name = head.getMetadata().getName();
        if (name.equals(status.getActiveMessage())) {
            return true;
        }
        status.setActiveMessage(name);
        status.setPhase(SessionPhase.Running);
        StatusWriter.writePrimary(context, session); // stale: StaleResourceException, and no Job
        return true;
    }

    /** The claimed message while it has not ended; else the one running (a claim from before claims existed). */
    static String activeMessage(String claim, List<ClaudeMessage> messages) {
        boolean claimed = claim != null && messages.stream()
                .anyMatch(m -> claim.equals(m.getMetadata().getName()) && !MessageQueue.isTerminal(m));
        return claimed ? claim : MessageQueue.running(messages).map(m -> m.getMetadata().getName()).orElse(null);
    }

    @Override
    public ErrorStatusUpdateControl<ClaudeSession> updateErrorStatus(ClaudeSession session, Context<ClaudeSession> context,
            Exception e) {
        ClaudeSessionStatus status = SessionStatuses.of(session);
        return ReconcileErrors.report(session, status.getConditions(), context, events, e);
    }


    @Override
    public DeleteControl cleanup(ClaudeSession session, Context<ClaudeSession> context) {
        try {
            history.delete(ConversationKey.of(session));
            LOG.infof("session %s/%s deleted: removed its history", session.getMetadata().getNamespace(),
                    session.getMetadata().getName());
            metrics.sessionDeleted(session.getMetadata().getNamespace(), session.getMetadata().getName());
            return DeleteControl.defaultDelete();
        } catch (HistoryStoreUnavailableException e) {
            // Keep the finalizer: the keys must not outlive the session unnoticed.
            events.warning(session, "HistoryStoreUnavailable", "Cannot delete the history yet: " + e.getMessage());
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(RECHECK);
        }
    }

    private static boolean expired(ClaudeSession session, ClaudeSessionStatus status) {
        Duration left = untilExpiry(session, status);
        return left != null && left.isZero();
    }

    /** Time until an idle session with ttlSecondsAfterIdle is deleted; null when it never expires now. */
    private static Duration untilExpiry(ClaudeSession session, ClaudeSessionStatus status) {
        Long ttl = session.getSpec().getTtlSecondsAfterIdle();
        if (ttl == null || status.getPhase() != SessionPhase.Idle) {
            return null;
        }
        String since = status.getLastActive() != null ? status.getLastActive() : session.getMetadata().getCreationTimestamp();
        if (since == null) {
            return null;
        }
        Duration left = Duration.between(Instant.now(), Instant.parse(since).plusSeconds(ttl));
        return left.isNegative() ? Duration.ZERO : left.plusSeconds(1);
    }

    private static String valueOf(java.util.Map<String, String> map, String key) {
        return map == null ? null : map.get(key);
    }

    private static Duration earliest(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }
}
