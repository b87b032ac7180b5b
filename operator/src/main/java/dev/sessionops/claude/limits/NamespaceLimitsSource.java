package dev.sessionops.claude.limits;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The {@link NamespaceLimits} of each namespace, read from its Namespace object and kept for a short while, so a
 * namespace costs one GET per period however many messages it runs, and a changed annotation holds within it. One
 * for the planner and the run slots.
 */
@Singleton
public final class NamespaceLimitsSource {
    private static final Logger LOG = Logger.getLogger(NamespaceLimitsSource.class);
    static final Duration TTL = Duration.ofSeconds(30);
    private static final int MAX_ENTRIES = 10_000;

    private record Cached(NamespaceLimits limits, long expiresAt) {
    }

    private final KubernetesClient client;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    @Inject
    public NamespaceLimitsSource(KubernetesClient client) {
        this.client = client;
    }

    public NamespaceLimits of(String namespace) {
        long now = System.nanoTime();
        Cached hit = cache.get(namespace);
        if (hit != null && now - hit.expiresAt() < 0) {
            return hit.limits();
        }
        NamespaceLimits limits;
        try {
            Namespace ns = client.namespaces().withName(namespace).get();
            limits = ns == null ? NamespaceLimits.NONE : NamespaceLimits.of(ns.getMetadata().getAnnotations());
        } catch (KubernetesClientException e) {
            // not readable (an RBAC without namespaces): the operator's own policy still holds; said once a period
            LOG.warnf("namespace %s: its limits (annotations) could not be read, the operator's policy applies: %s",
                    namespace, e.getMessage());
            limits = NamespaceLimits.NONE;
        }
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        cache.put(namespace, new Cached(limits, now + TTL.toNanos()));
        return limits;
    }
}
