package dev.sessionops.claude.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/** The embedded API's door (plain JUnit): the token first, then the reviews it answers itself, then the CRUD API. */
class EmbeddedApiGuardTest {
    private static final LocalToken TOKEN = LocalToken.of("the-token");
    private KubernetesMockServer server;

    @BeforeEach
    void start() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        EmbeddedApiGuard.install(server, TOKEN, "alice");
        server.init(LocalMode.loopbackV4(), 0);
        Discovery.serve(server, CustomResources.of(List.of())); // wrapped inside the guard
    }

    @AfterEach
    void stop() {
        server.destroy();
    }

    @Test
    void everythingNeedsTheToken() {
        try (KubernetesClient anonymous = client(null); KubernetesClient wrong = client("not-the-token"); KubernetesClient ok = client(TOKEN.value())) {
            for (KubernetesClient denied : List.of(anonymous, wrong)) {
                KubernetesClientException e = assertThrows(KubernetesClientException.class,
                        () -> denied.configMaps().inNamespace("default").list());
                assertEquals(401, e.getCode());
                assertThrows(KubernetesClientException.class, () -> denied.getApiGroups(), "discovery too");
                assertThrows(KubernetesClientException.class, () -> review(denied, "alice"), "the reviews too");
            }
            ok.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("x").endMetadata().build())
                    .create();
            assertEquals(1, ok.configMaps().inNamespace("default").list().getItems().size());
            assertTrue(ok.getApiGroups().getGroups().stream().anyMatch(g -> g.getName().equals(ApiFront.OPERATOR_GROUP)),
                    "the operator's group is listed, as the aggregator lists an APIService's");
        }
    }

    @Test
    void grantsSubjectAccessReviewsToTheLocalUserOnly() {
        try (KubernetesClient client = client(TOKEN.value())) {
            SubjectAccessReview alice = review(client, "alice");
            assertTrue(alice.getStatus().getAllowed());
            assertFalse(review(client, "mallory").getStatus().getAllowed());
            assertFalse(review(client, null).getStatus().getAllowed());
        }
    }

    private static SubjectAccessReview review(KubernetesClient client, String user) {
        return client.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder().withNewSpec()
                .withUser(user).withGroups("system:authenticated").withNewResourceAttributes().withNamespace("default")
                .withVerb("get").withGroup("claude.sessionops.dev").withResource("claudesessions").endResourceAttributes()
                .endSpec().build());
    }

    private KubernetesClient client(String token) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + server.getPort())
                .withOauthToken(token).withRequestRetryBackoffLimit(0).withNamespace("default").build()).build();
    }
}
