package dev.sessionops.claude.local;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/**
 * Local mode takes the user's credentials from the environment, as the claude CLI does, and offers them to the
 * operator the only way it accepts them: a Secret (named {@value LocalMode#CREDENTIALS_SECRET}) in every namespace
 * that has sessions or messages. The value stays in the embedded API's memory; it is never written to disk.
 */
final class CredentialsSecrets {
    static final List<String> KEYS = Credentials.SECRET_KEYS;
    private static final Logger LOG = Logger.getLogger(CredentialsSecrets.class.getName());

    private final KubernetesClient client;
    private final Map<String, String> data;
    private final Set<String> ensured = ConcurrentHashMap.newKeySet();

    private CredentialsSecrets(KubernetesClient client, Map<String, String> data) {
        this.client = client;
        this.data = data;
    }

    /**
     * @return the key of the Secret the runs take their credential from (the first of {@link #KEYS} the environment
     *         has: the operator reads no Secret, so it is told); empty when the environment holds no credential (runs
     *         will then report CredentialsMissing)
     */
    static Optional<String> start(KubernetesClient client, Map<String, String> env, List<AutoCloseable> resources) {
        Map<String, String> data = new LinkedHashMap<>();
        for (String key : KEYS) {
            String value = env.get(key);
            if (value != null && !value.isBlank()) {
                data.put(key, value);
            }
        }
        if (data.isEmpty()) {
            return Optional.empty();
        }
        CredentialsSecrets secrets = new CredentialsSecrets(client, data);
        secrets.ensure("default");
        resources.add(client.resources(ClaudeSession.class).inAnyNamespace().inform(secrets.handler()));
        resources.add(client.resources(ClaudeMessage.class).inAnyNamespace().inform(secrets.handler()));
        resources.add(client.namespaces().inform(secrets.handler()));
        return Optional.of(data.keySet().iterator().next());
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                String ns = obj.getMetadata().getNamespace() == null ? obj.getMetadata().getName() : obj.getMetadata().getNamespace();
                ensure(ns);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            }
        };
    }

    void ensure(String namespace) {
        if (!ensured.add(namespace)) {
            return;
        }
        Secret secret = new SecretBuilder().withNewMetadata().withName(LocalMode.CREDENTIALS_SECRET).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "claude-session-operator-local").endMetadata()
                .withStringData(data).build();
        try {
            client.secrets().inNamespace(namespace).resource(secret).createOr(r -> r.update());
        } catch (KubernetesClientException e) {
            ensured.remove(namespace);
            LOG.warning("Local mode: cannot write the credentials Secret in " + namespace + ": " + e.getMessage());
        }
    }
}
