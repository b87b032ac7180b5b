package dev.sessionops.claude.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Asks the API server whether a caller may {@code get} a kind of resource in a namespace (SubjectAccessReview), so
 * the API shows exactly what {@code kubectl get} would: the cluster's own RBAC decides, nothing is configured here.
 * Decisions, allowed or not, are remembered briefly per (user, groups, extra, namespace, resource), as the API
 * server's webhook authorizer does, so a polling client or a flood of requests costs one review per period.
 */
@ApplicationScoped
public class AccessReviewer {
    public static final String VERB = "get";

    private record Key(String user, List<String> groups, Map<String, List<String>> extra, String namespace, String resource) {
    }

    private record Decision(boolean allowed, long expiresAt) {
    }

    private final KubernetesClient client;
    private final Duration ttl;
    private final int maxEntries;
    private final Map<Key, Decision> cache = new ConcurrentHashMap<>();

    public AccessReviewer(KubernetesClient client, OperatorConfig config) {
        this.client = client;
        this.ttl = config.api().authorization().cacheTtl();
        this.maxEntries = config.api().authorization().cacheMaxEntries();
    }

    public boolean allowed(Caller caller, String namespace, String resource) {
        Key key = new Key(caller.username(), caller.groups().stream().sorted().toList(), new TreeMap<>(caller.extra()),
                namespace, resource);
        long now = System.nanoTime();
        Decision hit = cache.get(key);
        if (hit != null && now - hit.expiresAt() < 0) {
            return hit.allowed();
        }
        boolean allowed = review(caller, namespace, resource);
        if (cache.size() >= maxEntries) {
            cache.clear(); // bounded: many distinct callers cost reviews, never memory
        }
        cache.put(key, new Decision(allowed, now + ttl.toNanos()));
        return allowed;
    }

    private boolean review(Caller caller, String namespace, String resource) {
        SubjectAccessReview review = client.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(caller.username()).withUid(caller.uid()).withGroups(caller.groups()).withExtra(caller.extra())
                .withNewResourceAttributes()
                .withNamespace(namespace).withVerb(VERB).withGroup(ClaudeSession.GROUP).withResource(resource)
                .endResourceAttributes()
                .endSpec().build());
        return review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed());
    }
}
