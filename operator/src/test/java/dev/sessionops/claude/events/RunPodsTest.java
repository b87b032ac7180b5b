package dev.sessionops.claude.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

class RunPodsTest {
    private static final String JOB_UID = "8f2c-job";

    @Test
    void onlyAPodWhoseControllerIsTheJobByUidIsItsPod() {
        assertTrue(RunPods.controlledBy(pod("a", "t", "Job", JOB_UID, true), JOB_UID));
        assertFalse(RunPods.controlledBy(pod("b", "t", "Job", JOB_UID, false), JOB_UID), "owner, not controller");
        assertFalse(RunPods.controlledBy(pod("c", "t", "Job", "another", true), JOB_UID), "another Job of that name");
        assertFalse(RunPods.controlledBy(pod("d", "t", "ReplicaSet", JOB_UID, true), JOB_UID), "not a Job");
        assertFalse(RunPods.controlledBy(new PodBuilder().withNewMetadata().withName("e").endMetadata().build(), JOB_UID),
                "no owner at all (a label is all it has)");
        assertFalse(RunPods.controlledBy(pod("f", "t", "Job", null, true), null), "no UID to match is no match");
    }

    @Test
    void theNewestOfTheJobsOwnPodsIsTheRun() {
        List<Pod> pods = List.of(pod("old", "2026-11-29T10:00:00Z", "Job", JOB_UID, true),
                pod("new", "2026-11-29T10:00:05Z", "Job", JOB_UID, true),
                pod("newest-stranger", "2026-11-29T10:00:09Z", "Job", "another", true));
        assertEquals("new", RunPods.newestOf(pods, JOB_UID).orElseThrow().getMetadata().getName());
        assertTrue(RunPods.newestOf(pods.subList(2, 3), JOB_UID).isEmpty());
    }

    private static Pod pod(String name, String created, String kind, String uid, boolean controller) {
        return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind(kind).withName("run")
                        .withUid(uid).withController(controller).build())
                .endMetadata().build();
    }
}
