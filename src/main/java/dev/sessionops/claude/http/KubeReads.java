package dev.sessionops.claude.http;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.session.MessageQueue;
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
        List<ClaudeSession> sessions = client.resources(ClaudeSession.class).inNamespace(namespace).list().getItems();
        if (sessions.isEmpty()) {
            requireNamespace(namespace);
        }
        return sessions;
    }

    public ClaudeSession session(String namespace, String name) {
        ClaudeSession session = client.resources(ClaudeSession.class).inNamespace(namespace).withName(name).get();
        if (session == null) {
            requireNamespace(namespace);
            throw ApiException.notFound("claudesessions", name, namespace);
        }
        return session;
    }

    public ClaudeMessage message(String namespace, String name) {
        ClaudeMessage message = client.resources(ClaudeMessage.class).inNamespace(namespace).withName(name).get();
        if (message == null) {
            requireNamespace(namespace);
            throw ApiException.notFound("claudemessages", name, namespace);
        }
        return message;
    }

    /** The session's messages in the order they run (creation time, then name). */
    public List<ClaudeMessage> messagesOf(String namespace, String session) {
        return client.resources(ClaudeMessage.class).inNamespace(namespace).list().getItems().stream()
                .filter(m -> m.getSpec() != null && m.getSpec().getSessionRef() != null
                        && session.equals(m.getSpec().getSessionRef().getName()))
                .sorted(MessageQueue.ORDER).toList();
    }

    private void requireNamespace(String namespace) {
        if (client.namespaces().withName(namespace).get() == null) {
            throw ApiException.notFound("namespaces", namespace, null);
        }
    }
}
