package dev.sessionops.claude.message;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.sessionops.claude.queue.SessionOwnership;
import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.HistoryStoreUnavailableException;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.kube.ReconcileErrors;
import dev.sessionops.claude.kube.OwnerReferences;
import dev.sessionops.claude.kube.StaleResourceException;
import dev.sessionops.claude.kube.StatusWriter;
import dev.sessionops.claude.observability.OperatorMetrics;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

/**
 * The life of one ClaudeMessage, as observe → {@link MessageTransition#next} → apply: {@link MessageObserver}
 * gathers the facts, the pure transition decides (its Javadoc is the state machine's table), {@link MessageEffects}
 * writes. It validates a message, follows its Job and records the outcome; the Job of a message with a session is
 * created by the session's reconciler (turn-taking lives where the SDK already serializes), a one-shot message
 * creates its own. A finished message is never touched again, which (with the deterministic Job name and the
 * history's applied set) makes a replay harmless.
 */
// every event reaches reconcile (deletes too), so the reconciler decides which messages get a finalizer: only one-shot
// ones, whose conversation in Redis is state outside Kubernetes; a session's message has nothing to clean up
@ControllerConfiguration(name = "claudemessage", triggerReconcilerOnAllEvents = true)
// delete: a finished message's Job, once its outcome is recorded (MessageEffects.deleteJob)
@RBACRule(apiGroups = "batch", resources = "jobs", verbs = { "get", "list", "watch", "create", "delete" })
@RBACRule(apiGroups = "", resources = "pods", verbs = { "get", "list" })
@RBACRule(apiGroups = "", resources = "pods/log", verbs = { "get" })
// a run's prompt, created before its Job (PromptConfigMaps) and read back by name for the history; promptFrom, mcpConfig
@RBACRule(apiGroups = "", resources = "configmaps", verbs = { "get", "create" })
@RBACRule(apiGroups = "", resources = "events", verbs = { "create" })
@RBACRule(apiGroups = ClaudeSession.GROUP, resources = "claudesessions", verbs = { "get", "list", "watch" })
// creating the leader-election Lease (see ClaudeSessionReconciler for reading and renewing it)
@RBACRule(apiGroups = "coordination.k8s.io", resources = "leases", verbs = { "create" })
// the read API (dev.sessionops.claude.http): whether the user the front proxy names may get claudesessions /
// claudemessages in the namespace asked about (SubjectAccessReview), and 404 for a missing namespace
@RBACRule(apiGroups = "authorization.k8s.io", resources = "subjectaccessreviews", verbs = { "create" })
@RBACRule(apiGroups = "", resources = "namespaces", verbs = { "get" })
public class ClaudeMessageReconciler implements Reconciler<ClaudeMessage> {
    /** On one-shot messages only (and the SDK's default name, so what older versions put on every message is known). */
    public static final String FINALIZER = "claudemessages." + ClaudeSession.GROUP + "/finalizer";
    static final String SUCCEEDED = "Succeeded";
    static final String BY_SESSION = "bySession";
    /** After a lost conditional write, in case the newer version's event was already folded into this reconcile. */
    static final Duration STALE_RETRY = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(ClaudeMessageReconciler.class);

    private final HistoryStore history;
    private final OperatorMetrics metrics;
    private final EventFollower liveEvents;
    private final MessageObserver observer;
    private final MessageEffects effects;
    private final EventRecorder events;
    private final OperatorConfig config;

    private final RunSlots slots;
    private final FullMessages fullMessages;
    /** A session's messages from this controller's cache (by index); null until the SDK hands over the cache. */
    private volatile java.util.function.Function<ClaudeSession, List<ClaudeMessage>> sessionMessages;

    public ClaudeMessageReconciler(RunPlanner planner, HistoryStore history, JobLogs logs, EventRecorder events,
            OperatorConfig config, OperatorMetrics metrics, EventFollower liveEvents, RunSlots slots) {
        this(planner, history, logs, events, config, metrics, liveEvents, slots, null, new FullMessages());
    }

    /** @param fullMessages where the session controller finds the whole messages: this controller's cache */
    @jakarta.inject.Inject
    public ClaudeMessageReconciler(RunPlanner planner, HistoryStore history, JobLogs logs, EventRecorder events,
            OperatorConfig config, OperatorMetrics metrics, EventFollower liveEvents, RunSlots slots,
            dev.sessionops.claude.gateway.Gateway gateway, FullMessages fullMessages) {
        this.fullMessages = fullMessages;
        this.slots = slots;
        this.history = history;
        this.metrics = metrics;
        this.liveEvents = liveEvents;
        this.observer = new MessageObserver(planner, history, logs, liveEvents, config.pendingTimeout(), slots,
                () -> sessionMessages);
        this.effects = new MessageEffects(history, events, config, metrics, liveEvents,
                gateway == null ? GatewayFacts.NONE : new GatewayFacts(gateway));
        this.events = events;
        this.config = config;
    }

    @Override
    public List<EventSource<?, ClaudeMessage>> prepareEventSources(EventSourceContext<ClaudeMessage> context) {
        var primaries = context.getPrimaryCache();
        metrics.countMessagesIn(primaries::list);
        fullMessages.publish(primaries::get); // the one whole copy of each message (the session controller's has no prompt)
        primaries.addIndexer(BY_SESSION, m -> m.getSpec() == null || m.getSpec().getSessionRef() == null ? List.of()
                : List.of(sessionIndexKey(m.getMetadata().getNamespace(), m.getSpec().getSessionRef().getName())));
        sessionMessages = s -> primaries.byIndex(BY_SESSION, sessionIndexKey(s.getMetadata().getNamespace(),
                s.getMetadata().getName()));

        var jobs = new InformerEventSource<>(InformerEventSourceConfiguration.from(Job.class, ClaudeMessage.class)
                .withName("jobs")
                .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ClaudeMessage.class, false))
                .build(), context);

        // A session appearing, or suspended / resumed, wakes the messages that wait for it (nothing else does: the
        // session's reconciler starts them, and its status writes would wake every queued message for nothing).
        var sessions = new InformerEventSource<>(InformerEventSourceConfiguration.from(ClaudeSession.class, ClaudeMessage.class)
                .withName("sessions")
                .withOnUpdateFilter((before, after) -> suspended(before) != suspended(after))
                .withSecondaryToPrimaryMapper(s -> toIds(primaries.byIndex(BY_SESSION,
                        sessionIndexKey(s.getMetadata().getNamespace(), s.getMetadata().getName()))))
                .withPrimaryToSecondaryMapper((ClaudeMessage m) -> m.getSpec() == null || m.getSpec().getSessionRef() == null
                        ? Set.of()
                        : Set.of(new ResourceID(m.getSpec().getSessionRef().getName(), m.getMetadata().getNamespace())))
                .build(), context);
        // The run's live events: a retry of the model API, or its answer after retries, reconciles the message (its
        // follower keeps what it read; the observation carries it)
        var modelApi = new SimpleInboundEventSource<ClaudeMessage>("model-api");
        liveEvents.onRunChange((namespace, name) -> modelApi.propagateEvent(new ResourceID(name, namespace)));
        liveEvents.lookUpJobsIn((namespace, name) -> jobs.get(new ResourceID(name, namespace)).isPresent());
        // run slots (cso.limits.*): a new leader counts the runs under way first; a slot freed for a one-shot message
        // reconciles it
        slots.seedFrom(jobs::list);
        var slotFreed = new SimpleInboundEventSource<ClaudeMessage>("run-slots");
        slots.onGrant(c -> {
            if (!c.session()) {
                slotFreed.propagateEvent(new ResourceID(c.owner(), c.namespace()));
            }
        });
        return List.of(jobs, sessions, modelApi, slotFreed);
    }

    @Override
    public UpdateControl<ClaudeMessage> reconcile(ClaudeMessage message, Context<ClaudeMessage> context) {
        try {
            return reconcileCurrent(message, context);
        } catch (StaleResourceException e) {
            // read from a cache that was behind (or another replica wrote first): the newer version reconciles again
            LOG.debugf("%s; reconciling the newer version", e.getMessage());
            return UpdateControl.<ClaudeMessage> noUpdate().rescheduleAfter(STALE_RETRY);
        }
    }

    private UpdateControl<ClaudeMessage> reconcileCurrent(ClaudeMessage message, Context<ClaudeMessage> context) {
        if (context.isPrimaryResourceDeleted()) {
            slots.release(message.getMetadata().getUid());
            liveEvents.forget(message);
            return UpdateControl.noUpdate();
        }
        if (message.isMarkedForDeletion()) {
            return finishDeletion(message, context);
        }
        boolean oneShot = message.getSpec() != null && message.getSpec().getSessionRef() == null;
        if (oneShot != message.hasFinalizer(FINALIZER)) {
            // add it before anything outside Kubernetes exists; drop the one older versions put on every message
            message = oneShot ? context.resourceOperations().addFinalizer(FINALIZER)
                    : context.resourceOperations().removeFinalizer(FINALIZER);
        }
        ensureStatus(message);
        if (message.getStatus().getPhase() != null && message.getStatus().getPhase().isTerminal()) {
            slots.release(message.getMetadata().getUid());
            // ended: at most its Job to delete once kept long enough (the cache alone; no request otherwise), then
            // the message itself once retained long enough
            MessageAction action = MessageTransition.next(observer.observe(message, null, context));
            UpdateControl<ClaudeMessage> control = effects.apply(action, message, context);
            return action instanceof MessageAction.Nothing ? retain(message, context, control) : control;
        }
        if (message.getStatus().getConditions() != null && ReconcileErrors.clear(message.getStatus().getConditions())) {
            StatusWriter.writePrimary(context, message); // the error is behind us
        }
        ClaudeSession session = null;
        if (message.getSpec().getSessionRef() != null) {
            session = context.getSecondaryResource(ClaudeSession.class).orElse(null);
            if (session != null && SessionOwnership.ofAnotherIncarnation(message, session)) {
                session = null; // its session is gone; garbage collection removes the message
            }
            if (session != null) {
                ensureOwnedBy(message, session, context);
            }
        }
        MessageObservation observation = observer.observe(message, session, context);
        holdOrFreeSlot(message, observation.job());
        return effects.apply(MessageTransition.next(observation), message, context);
    }

    /** A run under way holds its slot (counted again by a new leader); one whose Job finished gives it back. */
    private void holdOrFreeSlot(ClaudeMessage message, Job job) {
        if (job == null) {
            return;
        }
        if (JobState.of(job).finished()) {
            slots.release(message.getMetadata().getUid());
        } else {
            boolean inSession = message.getSpec().getSessionRef() != null;
            slots.occupy(new RunSlots.Candidate(message.getMetadata().getNamespace(), inSession
                    ? message.getSpec().getSessionRef().getName() : message.getMetadata().getName(), inSession,
                    message.getMetadata().getUid()));
        }
    }

    /**
     * A finished message without its Job: deleted once {@code cso.messages.ttl-after-finished} has passed (a one-shot
     * message's finalizer then deletes its history), else looked at again when it will have.
     */
    private UpdateControl<ClaudeMessage> retain(ClaudeMessage message, Context<ClaudeMessage> context,
            UpdateControl<ClaudeMessage> control) {
        var left = Retention.untilExpiry(message.getStatus(), config.messages().ttlAfterFinished(), Instant.now());
        if (left.isEmpty()) {
            return control;
        }
        if (left.get().isZero()) {
            LOG.infof("message %s/%s finished more than %s ago: deleting it (cso.messages.ttl-after-finished)",
                    message.getMetadata().getNamespace(), message.getMetadata().getName(),
                    config.messages().ttlAfterFinished().get());
            context.getClient().resource(message).delete();
            return UpdateControl.noUpdate();
        }
        Duration at = left.get().plusSeconds(1);
        return control.getScheduleDelay().filter(d -> d <= at.toMillis()).isPresent() ? control : control.rescheduleAfter(at);
    }

    @Override
    public ErrorStatusUpdateControl<ClaudeMessage> updateErrorStatus(ClaudeMessage message, Context<ClaudeMessage> context,
            Exception e) {
        ClaudeMessageStatus status = ensureStatus(message);
        if (status.getConditions() == null) {
            status.setConditions(new java.util.ArrayList<>());
        }
        return ReconcileErrors.report(message, status.getConditions(), context, events, e);
    }

    /**
     * Messages of a session are owned by it, so deleting the session deletes them (and through them their Jobs).
     * {@code message} takes the new resourceVersion: the status write that follows is conditional on it.
     */
    private static void ensureOwnedBy(ClaudeMessage message, ClaudeSession session, Context<ClaudeMessage> context) {
        boolean owned = message.getMetadata().getOwnerReferences() != null && message.getMetadata().getOwnerReferences()
                .stream().anyMatch(o -> session.getMetadata().getUid().equals(o.getUid()));
        if (owned) {
            return;
        }
        var owner = new OwnerReferenceBuilder().withApiVersion(session.getApiVersion()).withKind(session.getKind())
                .withName(session.getMetadata().getName()).withUid(session.getMetadata().getUid())
                .withBlockOwnerDeletion(false).withController(false).build();
        ClaudeMessage edited = OwnerReferences.add(context.getClient(), message, owner);
        message.getMetadata().setResourceVersion(edited.getMetadata().getResourceVersion());
        message.getMetadata().setOwnerReferences(edited.getMetadata().getOwnerReferences()); // names its conversation
    }

    /**
     * A one-shot message's run is stopped as a cancel stops it (its Job deleted in the foreground: SIGINT to the CLI,
     * which ends its turn) before its history goes with it; then the finalizer (if any) is released.
     */
    private UpdateControl<ClaudeMessage> finishDeletion(ClaudeMessage message, Context<ClaudeMessage> context) {
        if (!message.hasFinalizer(FINALIZER)) {
            liveEvents.forget(message);
            return UpdateControl.noUpdate();
        }
        Job running = RunJobs.of(message, context.getSecondaryResources(Job.class)).filter(j -> !JobState.of(j).finished())
                .orElse(null);
        if (running != null) {
            if (!running.isMarkedForDeletion()) {
                context.getClient().resource(running).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
                events.normal(message, Reasons.CANCELLING, "Stopping Job " + running.getMetadata().getName()
                        + " before the message goes");
            }
            return UpdateControl.<ClaudeMessage> noUpdate().rescheduleAfter(MessageTransition.SETTLE);
        }
        liveEvents.forget(message);
        if (message.getSpec() != null && message.getSpec().getSessionRef() == null) {
            try {
                history.delete(conversationOf(message));
            } catch (HistoryStoreUnavailableException e) {
                events.warning(message, "HistoryStoreUnavailable", "Cannot delete the history yet: " + e.getMessage());
                return UpdateControl.<ClaudeMessage> noUpdate().rescheduleAfter(MessageTransition.RECHECK);
            }
        }
        context.resourceOperations().removeFinalizer(FINALIZER);
        return UpdateControl.noUpdate();
    }

    static ConversationKey conversationOf(ClaudeMessage message) {
        return ConversationKey.oneShot(message);
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

    private static boolean suspended(ClaudeSession s) {
        return s.getSpec() != null && Boolean.TRUE.equals(s.getSpec().getSuspend());
    }

    private static Set<ResourceID> toIds(List<ClaudeMessage> messages) {
        return messages.stream().map(ResourceID::fromResource).collect(Collectors.toSet());
    }
}
