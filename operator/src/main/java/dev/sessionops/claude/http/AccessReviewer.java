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
 * Asks the API server whether a caller may do something (SubjectAccessReview): {@code get} a kind of ours in a
 * namespace for the read API, so it shows exactly what {@code kubectl get} would, and {@code get} one named object
 * for admission, so a session can only reference what its author could read. The cluster's own RBAC decides,
 * nothing is configured here. Decisions, allowed or not, are remembered briefly per (user, groups, extra, what was
 * asked), as the API server's webhook authorizer does, so a polling client or a flood of requests costs one review
 * per period.
 */
@ApplicationScoped
public class AccessReviewer {
    public static final String VERB = "get";

    /** What is asked: {@code verb} on {@code group/resource} (named {@code name}, or any) in {@code namespace}. */
    public record Access(String verb, String group, String resource, String namespace, String name) {
        /** {@code get} on a kind of ours in a namespace. */
        public static Access ours(String namespace, String resource) {
            return new Access(VERB, ClaudeSession.GROUP, resource, namespace, null);
        }

        /** {@code get} on one object of the core group ({@code secrets}, {@code configmaps}, …). */
        public static Access core(String namespace, String resource, String name) {
            return new Access(VERB, "", resource, namespace, name);
        }
    }

    private record Key(String user, List<String> groups, Map<String, List<String>> extra, Access access) {
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
        return allowed(caller, Access.ours(namespace, resource));
    }

    public boolean allowed(Caller caller, Access access) {
        Key key = new Key(caller.username(), caller.groups().stream().sorted().toList(), new TreeMap<>(caller.extra()),
                access);
        long now = System.nanoTime();
        Decision hit = cache.get(key);
        if (hit != null && now - hit.expiresAt() < 0) {
            return hit.allowed();
        }
        boolean allowed = review(caller, access);
        if (cache.size() >= maxEntries) {
            cache.clear(); // bounded: many distinct callers cost reviews, never memory
        }
        cache.put(key, new Decision(allowed, now + ttl.toNanos()));
        return allowed;
    }

    private boolean review(Caller caller, Access access) {
        SubjectAccessReview review = client.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(caller.username()).withUid(caller.uid()).withGroups(caller.groups()).withExtra(caller.extra())
                .withNewResourceAttributes()
                .withNamespace(access.namespace()).withVerb(access.verb()).withGroup(access.group())
                .withResource(access.resource()).withName(access.name())
                .endResourceAttributes()
                .endSpec().build());
        return review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed());
    }
}
