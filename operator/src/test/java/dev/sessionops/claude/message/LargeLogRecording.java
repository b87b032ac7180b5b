package dev.sessionops.claude.message;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Map;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.events.EventStore;
import dev.sessionops.claude.events.PodLogStream;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.observability.OperatorMetrics;
import dev.sessionops.claude.testing.JobPod;
import dev.sessionops.claude.testing.StandaloneRedis;
import dev.sessionops.claude.testing.TestContext;
import dev.sessionops.claude.testing.TestOperatorConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The operator's side of {@link LargeLogRecordingIT}, in a JVM of its own whose heap is the bound under test: a
 * one-shot message started and its finished run recorded by the message reconciler, with the real history and live
 * events in Redis, the API server (a mock in the test's JVM) serving the run's pod log. Prints its heap pools' peaks.
 * <p>
 * Arguments: the API server's URL, the Redis URI, the namespace, the pod name the test serves the log for.
 */
public final class LargeLogRecording {
    static final String MESSAGE = "big";
    static final String SECRET = "anthropic";

    public static void main(String[] args) {
        String url = args[0];
        String ns = args[2];
        String pod = args[3];
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl(url).withTrustCerts(true).withNamespace(ns).build()).build();
                StandaloneRedis redis = new StandaloneRedis(args[1])) {
            OperatorConfig config = TestOperatorConfig.with("cso.defaults.credentials-secret", SECRET,
                    "cso.job.keep-after-record", "0s");
            PodLogStream logs = new PodLogStream(client);
            EventFollower events = new EventFollower(client, new EventStore(redis.dataSource(), config), logs, config);
            ClaudeMessageReconciler reconciler = new ClaudeMessageReconciler(new RunPlanner(client, config),
                    redis.history(), new JobLogs(client, logs), new EventRecorder(client), config,
                    new OperatorMetrics(new SimpleMeterRegistry()), events, new RunSlots(config, client));

            client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(SECRET).endMetadata()
                    .withStringData(Map.of("ANTHROPIC_API_KEY", "sk-test")).build()).create();
            ClaudeMessage message = new ClaudeMessage();
            message.setMetadata(new ObjectMetaBuilder().withName(MESSAGE).withNamespace(ns).build());
            message.setSpec(new ClaudeMessageSpec());
            message.getSpec().setPrompt("Read everything");
            message = client.resource(message).create();
            reconciler.reconcile(message, new TestContext<>(message, client));

            ClaudeMessage running = client.resources(ClaudeMessage.class).inNamespace(ns).withName(MESSAGE).get();
            Job job = client.batch().v1().jobs().inNamespace(ns).withName(running.getStatus().getJobName()).get();
            job.setStatus(new JobStatusBuilder().addNewCondition().withType("Complete").withStatus("True").endCondition()
                    .build());
            client.pods().inNamespace(ns).resource(JobPod.of(job, pod)).create();
            reconciler.reconcile(running, new TestContext<>(running, client).with(Job.class, job));

            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    System.out.println("heap: " + pool.getName() + " peak " + (pool.getPeakUsage().getUsed() >> 20) + " MiB");
                }
            }
        }
        System.exit(0); // the follower's pool and the clients' threads are done with
    }
}
