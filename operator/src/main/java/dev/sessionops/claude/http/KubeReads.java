package dev.sessionops.claude.http;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.queue.MessageQueue;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What the API reads from Kubernetes, straight from the API server (not the reconcilers' caches, which only the
 * leader fills): every replica answers the same. A missing object is a 404 naming it, or naming its namespace when
 * that is what is missing.
 */
@ApplicationScoped
public class KubeReads {
    private final KubernetesClient client;

    public KubeReads(KubernetesClient client) {
        this.client = client;
    }

    public List<ClaudeSession> sessions(String namespace) {
        List<ClaudeSession> sessions = client.resources(ClaudeSession.class).inNamespace(namespace).list().getItems()
                .stream().map(s -> inNamespace(s, namespace)).toList();
        if (sessions.isEmpty()) {
            requireNamespace(namespace);
        }
        return sessions;
    }

    public ClaudeSession session(String namespace, String name) {
        ClaudeSession session = client.resources(ClaudeSession.class).inNamespace(namespace).withName(name).get();
        if (session == null) {
            requireNamespace(namespace);
            throw ApiException.notFound("claudesessions", ClaudeSession.GROUP, name);
        }
        return inNamespace(session, namespace);
    }

    public ClaudeMessage message(String namespace, String name) {
        ClaudeMessage message = client.resources(ClaudeMessage.class).inNamespace(namespace).withName(name).get();
        if (message == null) {
            requireNamespace(namespace);
            throw ApiException.notFound("claudemessages", ClaudeSession.GROUP, name);
        }
        return inNamespace(message, namespace);
    }

    /** The session's messages in the order they run (creation time, then name). */
    public List<ClaudeMessage> messagesOf(String namespace, String session) {
        return client.resources(ClaudeMessage.class).inNamespace(namespace).list().getItems().stream()
                .map(m -> inNamespace(m, namespace))
                .filter(m -> m.getSpec() != null && m.getSpec().getSessionRef() != null
                        && session.equals(m.getSpec().getSessionRef().getName()))
                .sorted(MessageQueue.ORDER).toList();
    }

    /**
     * The last check before an object leaves: it lives in the namespace the caller was authorized for. The path's
     * namespace is validated and the client encodes it, so this cannot fail unless something below lies; then
     * nothing is shown.
     */
    static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T inNamespace(T object, String namespace) {
        if (!namespace.equals(object.getMetadata().getNamespace())) {
            throw new IllegalStateException("the API server returned " + object.getMetadata().getName() + " of namespace "
                    + object.getMetadata().getNamespace() + " for namespace " + namespace);
        }
        return object;
    }

    private void requireNamespace(String namespace) {
        if (client.namespaces().withName(namespace).get() == null) {
            throw ApiException.notFound("namespaces", "", namespace);
        }
    }
}
