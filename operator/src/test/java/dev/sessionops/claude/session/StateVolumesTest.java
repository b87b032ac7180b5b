package dev.sessionops.claude.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.GitWorkspace;
import dev.sessionops.claude.api.v1alpha1.StateVolume;
import dev.sessionops.claude.api.v1alpha1.VolumeClaimWorkspace;
import dev.sessionops.claude.api.v1alpha1.Workspace;
import dev.sessionops.claude.api.runner.JobNames;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

class StateVolumesTest {

    private static final Defaults DEFAULTS = new Defaults("1Gi", Optional.empty());

    @Test
    void claimIsNamedForTheSessionInItsNamespace() {
        PersistentVolumeClaim pvc = StateVolumes.build(session("chat"), DEFAULTS);
        assertEquals(JobNames.stateClaim("chat"), pvc.getMetadata().getName());
        assertEquals("team-a", pvc.getMetadata().getNamespace());
        assertEquals(List.of("ReadWriteOnce"), pvc.getSpec().getAccessModes());
    }

    @Test
    void claimIsOwnedAndControlledByTheSession() {
        List<OwnerReference> owners = StateVolumes.build(session("chat"), DEFAULTS).getMetadata().getOwnerReferences();
        assertEquals(1, owners.size());
        OwnerReference owner = owners.get(0);
        assertEquals("claude.sessionops.dev/v1alpha1", owner.getApiVersion());
        assertEquals("ClaudeSession", owner.getKind());
        assertEquals("chat", owner.getName());
        assertEquals("uid-chat", owner.getUid());
        assertEquals(Boolean.TRUE, owner.getController());
        assertEquals(Boolean.TRUE, owner.getBlockOwnerDeletion());
    }

    @Test
    void claimIsLabelledAsTheSessionsState() {
        Map<String, String> labels = StateVolumes.build(session("chat"), DEFAULTS).getMetadata().getLabels();
        assertEquals(Map.of(
                Labels.NAME, "claude-session-operator",
                Labels.COMPONENT, "session-state",
                Labels.MANAGED_BY, "claude-session-operator",
                Labels.SESSION, "chat"), labels);
    }

    @Test
    void aLongSessionNameStillGivesValidNameAndLabel() {
        String name = "a-very-long-session-name-" + "x".repeat(80);
        PersistentVolumeClaim pvc = StateVolumes.build(session(name), DEFAULTS);
        assertTrue(pvc.getMetadata().getName().length() <= 63, pvc.getMetadata().getName());
        String label = pvc.getMetadata().getLabels().get(Labels.SESSION);
        assertTrue(label.length() <= 63, label);
        assertEquals(JobNames.labelValue(name), label);
    }

    @Test
    void sizeComesFromTheSessionsStateSpec() {
        ClaudeSession s = session("chat");
        s.getSpec().setState(state("3Gi", null));
        assertEquals("3Gi", size(StateVolumes.build(s, DEFAULTS)));
    }

    @Test
    void sizeFallsBackToTheOperatorDefault() {
        assertEquals("1Gi", size(StateVolumes.build(session("chat"), DEFAULTS)));
        ClaudeSession withStateButNoSize = session("chat");
        withStateButNoSize.getSpec().setState(state(null, "fast"));
        assertEquals("750Mi", size(StateVolumes.build(withStateButNoSize, new Defaults("750Mi", Optional.empty()))));
    }

    @Test
    void aLargerGitWorkspaceGrowsTheVolume() {
        ClaudeSession s = session("chat");
        s.getSpec().setWorkspace(gitWorkspace("5Gi", null));
        assertEquals("5Gi", size(StateVolumes.build(s, DEFAULTS)));
    }

    @Test
    void aSmallerWorkspaceKeepsTheStateSize() {
        ClaudeSession s = session("chat");
        s.getSpec().setState(state("10Gi", null));
        s.getSpec().setWorkspace(gitWorkspace("5Gi", null));
        assertEquals("10Gi", size(StateVolumes.build(s, DEFAULTS)));
    }

    @Test
    void sizesAreComparedInBytesNotAsText() {
        ClaudeSession binaryWins = session("chat");
        binaryWins.getSpec().setState(state("1G", null)); // 10^9 bytes
        binaryWins.getSpec().setWorkspace(gitWorkspace("1Gi", null)); // 2^30 bytes
        assertEquals("1Gi", size(StateVolumes.build(binaryWins, DEFAULTS)));

        ClaudeSession stateWins = session("chat");
        stateWins.getSpec().setState(state("2Gi", null));
        stateWins.getSpec().setWorkspace(gitWorkspace("2000Mi", null));
        assertEquals("2Gi", size(StateVolumes.build(stateWins, DEFAULTS)));
    }

    @Test
    void aWorkspaceOnItsOwnClaimDoesNotGrowTheStateVolume() {
        ClaudeSession s = session("chat");
        Workspace w = new Workspace();
        VolumeClaimWorkspace claim = new VolumeClaimWorkspace();
        claim.setClaimName("my-code");
        w.setVolumeClaim(claim);
        w.setSize("50Gi");
        s.getSpec().setWorkspace(w);
        assertEquals("1Gi", size(StateVolumes.build(s, DEFAULTS)));
    }

    @Test
    void storageClassOfTheStateSpecComesFirst() {
        ClaudeSession s = session("chat");
        s.getSpec().setState(state(null, "state-class"));
        s.getSpec().setWorkspace(gitWorkspace(null, "workspace-class"));
        assertEquals("state-class", storageClass(StateVolumes.build(s, new Defaults("1Gi", Optional.of("default-class")))));
    }

    @Test
    void storageClassOfTheWorkspaceComesNext() {
        ClaudeSession s = session("chat");
        s.getSpec().setState(state("2Gi", null));
        s.getSpec().setWorkspace(gitWorkspace(null, "workspace-class"));
        assertEquals("workspace-class",
                storageClass(StateVolumes.build(s, new Defaults("1Gi", Optional.of("default-class")))));
    }

    @Test
    void storageClassFallsBackToTheOperatorDefaultThenToTheClusterDefault() {
        assertEquals("default-class",
                storageClass(StateVolumes.build(session("chat"), new Defaults("1Gi", Optional.of("default-class")))));
        assertNull(storageClass(StateVolumes.build(session("chat"), DEFAULTS)));
    }

    private static ClaudeSession session(String name) {
        ClaudeSession s = new ClaudeSession();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("team-a").withUid("uid-" + name).build());
        return s;
    }

    private static StateVolume state(String size, String storageClass) {
        StateVolume v = new StateVolume();
        v.setSize(size);
        v.setStorageClassName(storageClass);
        return v;
    }

    private static Workspace gitWorkspace(String size, String storageClass) {
        Workspace w = new Workspace();
        GitWorkspace git = new GitWorkspace();
        git.setRepository("https://example.com/repo.git");
        w.setGit(git);
        w.setSize(size);
        w.setStorageClassName(storageClass);
        return w;
    }

    private static String size(PersistentVolumeClaim pvc) {
        return pvc.getSpec().getResources().getRequests().get("storage").toString();
    }

    private static String storageClass(PersistentVolumeClaim pvc) {
        return pvc.getSpec().getStorageClassName();
    }

    /** Only stateSize and storageClassName matter to the state volume. */
    private record Defaults(String stateSize, Optional<String> storageClassName) implements OperatorConfig.Defaults {
        @Override
        public String image() {
            return "runner:test";
        }

        @Override
        public Optional<String> credentialsSecret() {
            return Optional.empty();
        }

        @Override
        public Optional<String> credentialsKey() {
            return Optional.empty();
        }

        @Override
        public Map<String, String> env() {
            return Map.of();
        }

        @Override
        public Optional<String> model() {
            return Optional.empty();
        }

        @Override
        public Optional<String> permissionMode() {
            return Optional.empty();
        }

        @Override
        public String timeout() {
            return "30m";
        }

        @Override
        public Optional<String> serviceAccountName() {
            return Optional.empty();
        }

        @Override
        public Optional<String> cpuRequest() {
            return Optional.empty();
        }

        @Override
        public Optional<String> memoryRequest() {
            return Optional.empty();
        }

        @Override
        public Optional<String> cpuLimit() {
            return Optional.empty();
        }

        @Override
        public Optional<String> memoryLimit() {
            return Optional.empty();
        }
    }

    @Test
    void onlyAClaimControlledByThisSessionsUidIsOurs() {
        ClaudeSession chat = session("chat");
        PersistentVolumeClaim ours = StateVolumes.build(chat, DEFAULTS);
        assertEquals(StateVolumes.Ownership.OURS, StateVolumes.ownership(ours, chat));
        assertEquals(StateVolumes.Ownership.MISSING, StateVolumes.ownership(null, chat));
        PersistentVolumeClaim planted = StateVolumes.build(chat, DEFAULTS);
        planted.getMetadata().setOwnerReferences(null);
        assertEquals(StateVolumes.Ownership.FOREIGN, StateVolumes.ownership(planted, chat), "labels alone make nothing ours");
        PersistentVolumeClaim older = StateVolumes.build(chat, DEFAULTS);
        older.getMetadata().getOwnerReferences().get(0).setUid("an-earlier-session");
        assertEquals(StateVolumes.Ownership.FOREIGN, StateVolumes.ownership(older, chat));
        PersistentVolumeClaim notController = StateVolumes.build(chat, DEFAULTS);
        notController.getMetadata().getOwnerReferences().get(0).setController(false);
        assertEquals(StateVolumes.Ownership.FOREIGN, StateVolumes.ownership(notController, chat));
    }
}
