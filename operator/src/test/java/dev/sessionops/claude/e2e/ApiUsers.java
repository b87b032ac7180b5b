package dev.sessionops.claude.e2e;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/**
 * Users of the read API for the mock API server, which does not evaluate SubjectAccessReviews: an expectation answers
 * them from a grant table ({@link #grant}: {@code get} on the claude resources in one namespace). A user's "token" is
 * the handle a test passes to {@link ApiClient#getAs}, which presents the user as the aggregation layer would (the
 * kube-apiserver authenticates tokens; the operator never sees one). Installed once per mock server (every
 * {@code @QuarkusTest} shares one); each test makes its own users, so grants never collide.
 */
public final class ApiUsers {
    static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    static final String GROUP = "claude.sessionops.dev";

    private static final Map<String, String> USERS_BY_TOKEN = new ConcurrentHashMap<>();
    private static final Map<String, Set<String>> NAMESPACES_BY_USER = new ConcurrentHashMap<>();
    /** Every review the operator asked for, in order. */
    static final List<SubjectAccessReview> accessReviews = new CopyOnWriteArrayList<>();
    private static KubernetesServer installedOn;

    private ApiUsers() {
    }

    public static synchronized void install(KubernetesServer server) {
        if (installedOn == server) {
            return;
        }
        server.expect().post().withPath(ACCESS_REVIEWS).andReply(201, request -> {
            SubjectAccessReview review = Serialization.unmarshal(request.getBody().readUtf8(), SubjectAccessReview.class);
            accessReviews.add(review);
            review.setStatus(new SubjectAccessReviewStatusBuilder().withAllowed(allows(review)).build());
            return Serialization.asJson(review);
        }).always();
        installedOn = server;
    }

    /** A handle for {@code user}, as {@link ApiClient#getAs} takes it. */
    public static String token(String user) {
        String token = "test-token-" + user + "-" + java.util.UUID.randomUUID();
        USERS_BY_TOKEN.put(token, user);
        return token;
    }

    public static boolean knows(String token) {
        return token != null && USERS_BY_TOKEN.containsKey(token);
    }

    public static String userOf(String token) {
        String user = USERS_BY_TOKEN.get(token);
        if (user == null) {
            throw new IllegalArgumentException("not a token of ApiUsers.token: " + token);
        }
        return user;
    }

    /** How many SubjectAccessReviews the operator asked for {@code user}. */
    public static long reviewsOf(String user) {
        return accessReviews.stream().filter(r -> user.equals(r.getSpec().getUser())).count();
    }

    /** {@code user} may get claudesessions and claudemessages in {@code namespace}, and nowhere else. */
    public static void grant(String user, String namespace) {
        NAMESPACES_BY_USER.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(namespace);
    }

    private static boolean allows(SubjectAccessReview review) {
        ResourceAttributes a = review.getSpec().getResourceAttributes();
        return a != null && "get".equals(a.getVerb()) && GROUP.equals(a.getGroup())
                && Set.of("claudesessions", "claudemessages").contains(a.getResource())
                && NAMESPACES_BY_USER.getOrDefault(review.getSpec().getUser(), Set.of()).contains(a.getNamespace());
    }
}
