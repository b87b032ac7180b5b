package dev.sessionops.claude.e2e;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/**
 * Users of the HTTP API for the mock API server, which evaluates neither TokenReview nor SubjectAccessReview: an
 * expectation answers TokenReviews for the tokens of {@link #token(String)}, another answers SubjectAccessReviews
 * from a grant table ({@link #grant}: {@code get} on the claude resources in one namespace). Installed once per mock
 * server (every {@code @QuarkusTest} shares one); each test makes its own users, so grants never collide.
 */
public final class ApiUsers {
    static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
    static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    static final String GROUP = "claude.sessionops.dev";

    private static final Map<String, String> USERS_BY_TOKEN = new ConcurrentHashMap<>();
    private static final Map<String, Set<String>> NAMESPACES_BY_USER = new ConcurrentHashMap<>();
    /** Every review the operator asked for, in order (the token of a TokenReview replaced by its user). */
    static final List<String> tokenReviews = new CopyOnWriteArrayList<>();
    static final List<SubjectAccessReview> accessReviews = new CopyOnWriteArrayList<>();
    private static KubernetesServer installedOn;

    private ApiUsers() {
    }

    public static synchronized void install(KubernetesServer server) {
        if (installedOn == server) {
            return;
        }
        server.expect().post().withPath(TOKEN_REVIEWS).andReply(201, request -> {
            TokenReview review = Serialization.unmarshal(request.getBody().readUtf8(), TokenReview.class);
            String user = USERS_BY_TOKEN.get(review.getSpec().getToken());
            tokenReviews.add(user == null ? "<unknown>" : user);
            review.setStatus(user == null ? new TokenReviewStatusBuilder().withAuthenticated(false).withError("invalid token").build()
                    : new TokenReviewStatusBuilder().withAuthenticated(true).withNewUser().withUsername(user)
                            .withUid("uid-" + user).withGroups("system:authenticated").endUser().build());
            return Serialization.asJson(review);
        }).always();
        server.expect().post().withPath(ACCESS_REVIEWS).andReply(201, request -> {
            SubjectAccessReview review = Serialization.unmarshal(request.getBody().readUtf8(), SubjectAccessReview.class);
            accessReviews.add(review);
            review.setStatus(new SubjectAccessReviewStatusBuilder().withAllowed(allows(review)).build());
            return Serialization.asJson(review);
        }).always();
        installedOn = server;
    }

    /** A bearer token the mock API server accepts as {@code user}. */
    public static String token(String user) {
        String token = "test-token-" + user + "-" + java.util.UUID.randomUUID();
        USERS_BY_TOKEN.put(token, user);
        return token;
    }

    /** {@code user} may get claudesessions and claudemessages in {@code namespace}, and nowhere else. */
    /** The users whose tokens the operator had reviewed, in order. */
    public static List<String> reviewedUsers() {
        return List.copyOf(tokenReviews);
    }

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
