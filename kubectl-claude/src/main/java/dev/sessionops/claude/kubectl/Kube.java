package dev.sessionops.claude.kubectl;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;

/**
 * One CLI call's view of the cluster: the kube config resolved like kubectl does it, the namespace, a Fabric8 client
 * (created on first use) and the operator's HTTP API.
 */
final class Kube implements AutoCloseable {
    static final String DEFAULT_NAMESPACE = "default";
    private static final int TRANSPORT_ATTEMPTS = 4;

    private final Config config;
    private final String namespace;
    private KubernetesClient client;
    private OperatorApi api;

    private Kube(Config config, String namespace) {
        this.config = config;
        this.namespace = namespace;
    }

    static Kube connect(Path kubeconfig, String context, String namespace) {
        Config config = loadConfig(kubeconfig, context);
        Credentials.requireSafeTransport(config);
        // A CLI should fail fast when the API server is unreachable rather than retry for a minute.
        config.setRequestRetryBackoffLimit(1);
        config.setRequestRetryBackoffInterval(200);
        return new Kube(config, namespace(namespace, config));
    }

    static Config loadConfig(Path kubeconfig, String context) {
        if (kubeconfig == null) {
            return Config.autoConfigure(context);
        }
        if (!Files.isReadable(kubeconfig)) {
            throw CliException.usage("cannot read kubeconfig " + kubeconfig);
        }
        File file = kubeconfig.toFile();
        return Config.fromKubeconfig(context, file);
    }

    /** {@code -n} first, then the context's namespace, then {@code default}: what kubectl does. */
    static String namespace(String flag, Config config) {
        if (flag != null && !flag.isBlank()) {
            return flag;
        }
        String fromContext = config.getNamespace();
        return fromContext == null || fromContext.isBlank() ? DEFAULT_NAMESPACE : fromContext;
    }

    String namespace() {
        return namespace;
    }

    Config config() {
        return config;
    }

    synchronized KubernetesClient client() {
        if (client == null) {
            // Fabric8's own Vert.x client: the Quarkus factory on the class path expects a running Quarkus.
            client = new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new VertxHttpClientFactory())
                    .build();
        }
        return client;
    }

    synchronized OperatorApi api() {
        if (api == null) {
            api = OperatorApi.through(client());
        }
        return api;
    }

    NonNamespaceOperation<ClaudeSession, KubernetesResourceList<ClaudeSession>, Resource<ClaudeSession>> sessions() {
        MixedOperation<ClaudeSession, KubernetesResourceList<ClaudeSession>, Resource<ClaudeSession>> op =
                client().resources(ClaudeSession.class);
        return op.inNamespace(namespace);
    }

    NonNamespaceOperation<ClaudeMessage, KubernetesResourceList<ClaudeMessage>, Resource<ClaudeMessage>> messages() {
        MixedOperation<ClaudeMessage, KubernetesResourceList<ClaudeMessage>, Resource<ClaudeMessage>> op =
                client().resources(ClaudeMessage.class);
        return op.inNamespace(namespace);
    }

    /**
     * The message, or null. Polling calls go through here: a transport error without an HTTP status (a connection
     * the server closed under the pool) is retried a few times instead of ending a long wait.
     */
    ClaudeMessage message(String name) {
        for (int attempt = 1;; attempt++) {
            try {
                return messages().withName(name).get();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 0 || attempt >= TRANSPORT_ATTEMPTS) {
                    throw e;
                }
                PodLogFollower.sleep(Duration.ofMillis(200L * attempt));
            }
        }
    }

    /**
     * Sets one field of an object's spec by JSON patch: nothing else of the spec is sent back, so a concurrent edit
     * is not undone.
     */
    static void setSpecField(Resource<? extends HasMetadata> object, String field, Object value) {
        object.patch(PatchContext.of(PatchType.JSON),
                Serialization.asJson(List.of(Map.of("op", "add", "path", "/spec/" + field, "value", value))));
    }

    /** The message, or a clear error when it does not exist. */
    ClaudeMessage requireMessage(String name) {
        ClaudeMessage m = message(name);
        if (m == null) {
            throw new CliException(ExitCodes.NOT_FOUND, "claudemessage \"" + name + "\" not found in namespace " + namespace, null);
        }
        return m;
    }

    ClaudeSession requireSession(String name) {
        ClaudeSession s = sessions().withName(name).get();
        if (s == null) {
            throw new CliException(ExitCodes.NOT_FOUND, "claudesession \"" + name + "\" not found in namespace " + namespace, null);
        }
        return s;
    }

    @Override
    public synchronized void close() {
        if (api != null) {
            api.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
