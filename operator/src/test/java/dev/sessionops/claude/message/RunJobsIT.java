package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/**
 * After a 409 on a run's Job create, which Job of that name is the run: the one session heads and one-shots both
 * take ({@code HeadJobDependent}, {@code MessageEffects}).
 */
@EnableKubernetesMockClient(crud = true)
class RunJobsIT {
    private static final String NS = "ns";
    private static final String MESSAGE_UID = "uid-of-chat-01";

    KubernetesClient client;

    private final KubernetesClientException conflict = new KubernetesClientException("already exists", 409, null);

    @Test
    void aJobTheMessageControlsIsItsRun() {
        Job existing = create(owner(MESSAGE_UID, true));

        Job run = RunJobs.existingRun(client, desired(), MESSAGE_UID, conflict);

        assertEquals(existing.getMetadata().getUid(), run.getMetadata().getUid());
    }

    @Test
    void aJobThatOnlyNamesTheMessageOrIsAnotherUidsIsRefusedForGood() {
        for (OwnerReference owner : List.of(owner(MESSAGE_UID, false), owner("uid-of-someone-else", true))) {
            Job squatter = create(owner);

            RunRefused refused = assertThrows(RunRefused.class,
                    () -> RunJobs.existingRun(client, desired(), MESSAGE_UID, conflict));

            assertEquals(Reasons.JOB_CONFLICT, refused.refusal().reason());
            assertTrue(!refused.refusal().waiting(), "final: the same name answers the same way next time");
            assertTrue(refused.refusal().message().startsWith("Job chat-01-run exists but is not this message's run"),
                    refused.refusal().message());
            client.resource(squatter).delete();
        }
    }

    @Test
    void aJobGoneMeanwhileIsTheConflictAgainForTheCallersRetry() {
        assertSame(conflict, assertThrows(KubernetesClientException.class,
                () -> RunJobs.existingRun(client, desired(), MESSAGE_UID, conflict)));
    }

    private Job desired() {
        return new JobBuilder().withNewMetadata().withName("chat-01-run").withNamespace(NS).endMetadata().build();
    }

    private Job create(OwnerReference owner) {
        return client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata()
                .withName("chat-01-run").withNamespace(NS).withOwnerReferences(owner).endMetadata().build()).create();
    }

    private static OwnerReference owner(String uid, boolean controller) {
        return new OwnerReferenceBuilder().withApiVersion("claude.sessionops.dev/v1alpha1").withKind("ClaudeMessage")
                .withName("chat-01").withUid(uid).withController(controller).build();
    }
}
