package dev.sessionops.claude.session;

import java.time.Duration;
import java.util.function.UnaryOperator;

import org.jboss.logging.Logger;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.history.HistoryStoreUnavailableException;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.kube.StatusWriter;
import dev.sessionops.claude.message.JobSpecBuilder;
import dev.sessionops.claude.message.MessageProblem;
import dev.sessionops.claude.message.Reasons;
import dev.sessionops.claude.message.RunPlanner;
import dev.sessionops.claude.observability.OperatorMetrics;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Starts the head of a session's queue. This is where a session's messages run strictly one at a time, exactly once:
 * <ol>
 * <li>Only this class creates the Job of a message that has a session, and only from the session's reconciler,
 * which the SDK never runs twice at once for one session: there is no second dispatcher to race with.</li>
 * <li>It starts only the head ({@link MessageQueue}), and only when no Job of the session is unfinished
 * ({@link SessionDispatch}). The Job is created through the SDK into the session's Job cache, so the next reconcile
 * sees it even before the watch does; a message ends (terminal phase) only after its Job finished, so the head
 * cannot move on while a run is under way. A new leader starts from freshly listed caches.</li>
 * <li>The Job's name is fixed by the message (name and UID): a second create of the same run is a 409, not a second
 * run.</li>
 * <li>The message's own reconciler adopts the Job, follows it and records the outcome once: the history's applied
 * set makes a replayed record a no-op, and a terminal phase is never left.</li>
 * </ol>
 * Per dispatch the API calls are a fixed few (the planner's GETs, the create, an Event), whatever the namespace holds.
 */
final class SessionDispatcher {
    private static final Logger LOG = Logger.getLogger(SessionDispatcher.class);
    static final Duration RECHECK = Duration.ofSeconds(10);

    private final RunPlanner planner;
    private final HistoryStore history;
    private final EventRecorder events;
    private final OperatorMetrics metrics;

    SessionDispatcher(RunPlanner planner, HistoryStore history, EventRecorder events, OperatorMetrics metrics) {
        this.planner = planner;
        this.history = history;
        this.events = events;
        this.metrics = metrics;
    }

    /**
     * Creates the head's Job through {@code create} (the SDK's, which puts it in the session's Job cache); returns
     * when to look again if it cannot start yet (null: on the next event).
     */
    Duration start(ClaudeSession session, ClaudeMessage head, KubernetesClient client, UnaryOperator<Job> create) {
        RunPlanner.PlannedRun plan;
        try {
            plan = planner.plan(head, session); // its inputs may have changed since it was queued
        } catch (MessageProblem p) {
            if (p.isWaiting()) {
                hold(head, MessagePhase.Pending, p.reason(), p.getMessage(), client);
                return RECHECK;
            }
            if (hold(head, MessagePhase.Failed, p.reason(), p.getMessage(), client)) {
                metrics.endedWithoutRun(head, MessagePhase.Failed, p.reason());
            }
            return null;
        }
        String resumeFrom;
        try {
            resumeFrom = history.currentSessionId(ConversationKey.of(head)).orElse(null);
        } catch (HistoryStoreUnavailableException e) {
            hold(head, MessagePhase.Pending, Reasons.HISTORY_STORE_UNAVAILABLE,
                    "cannot read the conversation from Redis: " + e.getMessage(), client);
            return RECHECK;
        }
        Job job = JobSpecBuilder.forRun(plan, resumeFrom);
        String name = job.getMetadata().getName();
        try {
            create.apply(job);
            LOG.infof("session %s/%s: created Job %s for %s%s", session.getMetadata().getNamespace(),
                    session.getMetadata().getName(), name, head.getMetadata().getName(),
                    resumeFrom == null ? "" : " resuming " + resumeFrom);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return null; // created before (a lost cache entry, or another leader): the same run
        }
        events.normal(head, Reasons.JOB_CREATED, "Started Job " + name
                + (resumeFrom == null ? "" : ", resuming Claude session " + resumeFrom));
        return null;
    }

    /** The head cannot start: its status says why (its own reconciler is not woken by this; the session retries). */
    private boolean hold(ClaudeMessage head, MessagePhase phase, String reason, String text, KubernetesClient client) {
        ClaudeMessage message = client.getKubernetesSerialization().clone(head);
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
        if (terminal) {
            status.setCompletedAt(Conditions.now());
        }
        StatusWriter.write(client, message, status);
        events.warning(head, reason, text);
        return true;
    }
}
