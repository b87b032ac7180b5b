package dev.sessionops.claude.session;

import java.util.Set;

import jakarta.inject.Inject;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.kube.EventRecorder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

/**
 * The session's state volume claim ({@link StateVolumes}) as a dependent resource: created when missing (seen through
 * an informer on the operator's own claims, no live GET), never updated (a claim's spec is immutable once bound) and
 * never deleted by the operator: the session owns it (set by {@link StateVolumes}), so Kubernetes deletes it with the
 * session. Not {@code GarbageCollected}, which would make the SDK ask for {@code delete} on every claim; claims are
 * mapped to their session by that owner reference, as older versions created them too.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_BY + "=" + Labels.OPERATOR + ","
        + Labels.COMPONENT + "=" + Labels.STATE_VOLUME))
public class StateVolumeDependent extends KubernetesDependentResource<PersistentVolumeClaim, ClaudeSession>
        implements Creator<PersistentVolumeClaim, ClaudeSession>, SecondaryToPrimaryMapper<PersistentVolumeClaim> {
    private static final SecondaryToPrimaryMapper<PersistentVolumeClaim> BY_OWNER = Mappers.fromOwnerReferences(ClaudeSession.class);

    @Inject
    OperatorConfig config;
    @Inject
    EventRecorder events;

    public StateVolumeDependent() {
        super(PersistentVolumeClaim.class);
    }

    @Override
    protected PersistentVolumeClaim desired(ClaudeSession session, Context<ClaudeSession> context) {
        return StateVolumes.build(session, config.defaults());
    }

    @Override
    public Set<ResourceID> toPrimaryResourceIDs(PersistentVolumeClaim claim) {
        return BY_OWNER.toPrimaryResourceIDs(claim);
    }

    /** The owner reference is in the desired claim already; no mapping annotations. */
    @Override
    protected void addReferenceHandlingMetadata(PersistentVolumeClaim desired, ClaudeSession session) {
    }

    @Override
    public PersistentVolumeClaim create(PersistentVolumeClaim desired, ClaudeSession session, Context<ClaudeSession> context) {
        PersistentVolumeClaim created = super.create(desired, session, context);
        events.normal(session, "StateVolumeCreated", "Created PersistentVolumeClaim " + desired.getMetadata().getName());
        return created;
    }
}
