package dev.sessionops.claude.session;

import org.jboss.logging.Logger;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.kube.SideRequests;
import dev.sessionops.claude.message.RunJobs;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The Job of the session's queue head, as a create-only dependent resource: the reconciler plans it
 * ({@link SessionDispatcher}) and puts it in the context; the workflow creates it only then ({@link Planned}), into
 * the session's Job cache (the {@code jobs} event source), so the next reconcile sees it before the watch does. The
 * Job is named after its message and owned by it (not by the session): it is never updated or deleted from here.
 * <p>
 * Created by a plain POST, as the one-shot messages' Jobs are, not a server-side apply: there is nothing to merge
 * into, and an apply is the dearer request for the API server (in the benchmark's timeline the apply was the slowest
 * step of a dispatch); an existing Job answers 409 (handled below).
 */
@KubernetesDependent(useSSA = BooleanWithUndefined.FALSE)
public class HeadJobDependent extends KubernetesDependentResource<Job, ClaudeSession> implements Creator<Job, ClaudeSession> {
    private static final Logger LOG = Logger.getLogger(HeadJobDependent.class);
    /** Its name in the session's workflow. */
    static final String NAME = "head-job";
    /** The context key of the {@link SessionDispatcher.Start} to create. */
    static final String PLANNED = "planned-start";
    /** The context key of the create of the start's prompt ConfigMap, under way ({@link SideRequests.Pending}). */
    static final String PROMPT = "prompt-create";

    public HeadJobDependent() {
        super(Job.class);
    }

    @Override
    protected Job desired(ClaudeSession session, Context<ClaudeSession> context) {
        return planned(context).job();
    }

    /** The message owns the Job (set by the planner); no owner reference or mapping annotation to the session. */
    @Override
    protected void addReferenceHandlingMetadata(Job desired, ClaudeSession session) {
    }

    @Override
    public Job create(Job desired, ClaudeSession session, Context<ClaudeSession> context) {
        SessionDispatcher.Start start = planned(context);
        String name = desired.getMetadata().getName();
        // the prompt first (created beside the claim): the Job's pod mounts it (and the Job's UID, which could own it,
        // does not exist yet); a refusal (RunRefused) is the head's to report, as a refused Job is
        context.managedWorkflowAndDependentResourceContext().getMandatory(PROMPT, SideRequests.Pending.class).await();
        Job created;
        try {
            created = super.create(desired, session, context);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            // created before (the cache lags, or another leader did), if the message controls it; else a RunRefused
            return RunJobs.existingRun(context.getClient(), desired, start.head().getMetadata().getUid(), e);
        }
        LOG.infof("session %s/%s: created Job %s for %s%s", session.getMetadata().getNamespace(),
                session.getMetadata().getName(), name, start.head().getMetadata().getName(),
                start.resumeFrom() == null ? "" : " resuming " + start.resumeFrom());
        return created;
    }

    private static SessionDispatcher.Start planned(Context<ClaudeSession> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(PLANNED, SessionDispatcher.Start.class);
    }

    /** The workflow creates the Job only when the reconciler planned one in this reconcile. */
    public static class Planned implements Condition<Job, ClaudeSession> {
        @Override
        public boolean isMet(DependentResource<Job, ClaudeSession> dependent, ClaudeSession session,
                Context<ClaudeSession> context) {
            return context.managedWorkflowAndDependentResourceContext().get(PLANNED, SessionDispatcher.Start.class).isPresent();
        }
    }
}
