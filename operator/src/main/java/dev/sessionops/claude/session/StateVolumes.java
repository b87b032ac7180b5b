package dev.sessionops.claude.session;

import java.util.Map;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.kube.Controllers;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * The session's state volume: the CLI's config dir (transcripts, so {@code --resume} works in a fresh pod) and,
 * unless the session brings its own claim, the worktree. Owned by the session, so it goes when the session goes.
 */
public final class StateVolumes {
    private StateVolumes() {
    }

    public static PersistentVolumeClaim build(ClaudeSession session, OperatorConfig.Defaults defaults) {
        ClaudeSessionSpec spec = session.getSpec();
        String size = spec.getState() != null && spec.getState().getSize() != null ? spec.getState().getSize()
                : defaults.stateSize();
        // The worktree shares the volume when it is a git checkout: make room for it.
        if (spec.getWorkspace() != null && spec.getWorkspace().getSize() != null && spec.getWorkspace().getVolumeClaim() == null
                && bytes(spec.getWorkspace().getSize()) > bytes(size)) {
            size = spec.getWorkspace().getSize();
        }
        String storageClass = spec.getState() != null && spec.getState().getStorageClassName() != null
                ? spec.getState().getStorageClassName()
                : spec.getWorkspace() != null && spec.getWorkspace().getStorageClassName() != null
                        ? spec.getWorkspace().getStorageClassName()
                        : defaults.storageClassName().orElse(null);
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                    .withName(JobNames.stateClaim(session.getMetadata().getName()))
                    .withNamespace(session.getMetadata().getNamespace())
                    .withLabels(Map.of(
                            Labels.NAME, Labels.OPERATOR,
                            Labels.COMPONENT, Labels.STATE_VOLUME,
                            Labels.MANAGED_BY, Labels.OPERATOR,
                            Labels.SESSION, JobNames.labelValue(session.getMetadata().getName())))
                    .withOwnerReferences(new OwnerReferenceBuilder()
                            .withApiVersion(session.getApiVersion()).withKind(session.getKind())
                            .withName(session.getMetadata().getName()).withUid(session.getMetadata().getUid())
                            .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withStorageClassName(storageClass)
                    .withNewResources().addToRequests("storage", new Quantity(size)).endResources()
                .endSpec()
                .build();
    }

    /** Whose a claim with the state volume's name is. */
    public enum Ownership {
        /** None exists: the operator creates it. */
        MISSING,
        /** Controlled by this session (its uid): created by the operator for it. */
        OURS,
        /**
         * Someone else's: made by hand, planted by a namespace peer (with hooks on it for the CLI to run), or left by
         * an earlier session of the same name until the garbage collector takes it. Never mounted.
         */
        FOREIGN
    }

    public static Ownership ownership(PersistentVolumeClaim claim, ClaudeSession session) {
        if (claim == null) {
            return Ownership.MISSING;
        }
        boolean ours = Controllers.controlledBy(claim, session.getKind(), session.getMetadata().getUid());
        return ours ? Ownership.OURS : Ownership.FOREIGN;
    }

    private static long bytes(String quantity) {
        return Quantity.getAmountInBytes(new Quantity(quantity)).longValue();
    }
}
