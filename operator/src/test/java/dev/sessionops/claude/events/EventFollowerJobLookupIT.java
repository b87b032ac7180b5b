package dev.sessionops.claude.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.local.RedisServer;
import dev.sessionops.claude.testing.StandaloneRedis;
import dev.sessionops.claude.testing.TestOperatorConfig;
import dev.sessionops.claude.testing.RecordedRequests;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * While a run's pod is awaited its follower lists the Job's pods, and asks whether the Job is still there of the
 * reconciler's Job cache: no Job GET while the cache shows it, a GET (and the follower's end) once it does not.
 */
@EnableKubernetesMockClient(crud = true)
class EventFollowerJobLookupIT {
    private static RedisServer redisServer;
    private static StandaloneRedis redis;

    KubernetesMockServer server;
    KubernetesClient client;

    @BeforeAll
    static void redis() {
        redisServer = RedisServer.startOnFreePort();
        redis = new StandaloneRedis(redisServer.uri());
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
        if (redisServer != null) {
            redisServer.close();
        }
    }

    @Test
    void aCachedJobCostsNoGetWhileItsPodIsAwaited() throws Exception {
        var config = TestOperatorConfig.with();
        EventFollower follower = new EventFollower(client, new EventStore(redis.dataSource(), config),
                new PodLogStream(client), config);
        AtomicBoolean cached = new AtomicBoolean(true);
        follower.lookUpJobsIn((namespace, name) -> cached.get() && "run-1".equals(name));
        ClaudeMessage message = new ClaudeMessage();
        message.setMetadata(new ObjectMetaBuilder().withName("m").withNamespace("ns").withUid("uid-m").build());
        message.setSpec(new ClaudeMessageSpec());
        drain();
        try {
            follower.follow(message, new JobBuilder().withNewMetadata().withName("run-1").withNamespace("ns")
                    .withUid("uid-run-1").endMetadata().build());
            Thread.sleep(1500); // looks at 0, 0.3, 0.9 s
            List<String> awaiting = drain();
            assertTrue(awaiting.size() >= 2, "it looked: " + awaiting);
            assertTrue(awaiting.stream().allMatch(r -> r.startsWith("GET /api/v1/namespaces/ns/pods?labelSelector=")),
                    "pod lists only, no Job GET: " + awaiting);

            cached.set(false); // the Job gone from the cache: asked of the API server, which has none either
            long deadline = System.currentTimeMillis() + 10_000;
            while (follower.isFollowing(message) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(!follower.isFollowing(message), "the follower ended with its Job");
            assertEquals(1, drain().stream().filter(r -> r.equals("GET /apis/batch/v1/namespaces/ns/jobs/run-1")).count());
        } finally {
            follower.shutdown();
        }
    }

    private List<String> drain() throws InterruptedException {
        return RecordedRequests.drain(server);
    }
}
