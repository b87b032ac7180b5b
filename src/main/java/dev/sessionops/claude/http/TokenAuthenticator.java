package dev.sessionops.claude.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.OperatorConfig;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Asks the API server who a bearer token belongs to (TokenReview). An accepted token is remembered briefly, keyed by
 * its SHA-256, so a client polling the API does not cost a review per call; a rejected one is asked about again (it
 * may be a token just created). The token itself is never kept nor logged.
 */
@ApplicationScoped
public class TokenAuthenticator {
    /** Bounds the cache: past this many callers it is cleared rather than grown. */
    static final int MAX_CACHED = 10_000;

    private record Cached(Caller caller, long expiresAt) {
    }

    private final KubernetesClient client;
    private final Duration ttl;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public TokenAuthenticator(KubernetesClient client, OperatorConfig config) {
        this.client = client;
        this.ttl = config.api().auth().tokenCacheTtl();
    }

    /** The token's user, or empty when the API server does not accept it. */
    public Optional<Caller> authenticate(String token) {
        String key = sha256(token);
        long now = System.nanoTime();
        Cached hit = cache.get(key);
        if (hit != null && now - hit.expiresAt() < 0) {
            return Optional.of(hit.caller());
        }
        TokenReview review = client.authentication().v1().tokenReviews().create(new TokenReviewBuilder()
                .withNewSpec().withToken(token).endSpec().build());
        if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())
                || review.getStatus().getUser() == null) {
            cache.remove(key);
            return Optional.empty();
        }
        UserInfo user = review.getStatus().getUser();
        Caller caller = new Caller(user.getUsername(), user.getUid(),
                user.getGroups() == null ? List.of() : List.copyOf(user.getGroups()),
                user.getExtra() == null ? Map.of() : Map.copyOf(user.getExtra()));
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, new Cached(caller, now + ttl.toNanos()));
        return Optional.of(caller);
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
