package dev.sessionops.claude.local;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The bearer token of one local-mode start: 32 random bytes (base64url), written only into the two 0600 kubeconfigs
 * and never logged. Both the API front and the embedded API accept exactly this token; comparison is constant-time
 * (both sides hashed first, so not even the length leaks).
 */
final class LocalToken {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String value;
    private final byte[] digest;

    private LocalToken(String value) {
        this.value = value;
        this.digest = sha256(value);
    }

    static LocalToken generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new LocalToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** For tests. */
    static LocalToken of(String value) {
        return new LocalToken(value);
    }

    /** The token itself, for the kubeconfigs only. */
    String value() {
        return value;
    }

    boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(digest, sha256(candidate));
    }

    /** The value of an {@code Authorization: Bearer <token>} header; null when there is none. */
    static String bearer(String authorization) {
        String prefix = "Bearer ";
        if (authorization == null || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return null;
        }
        String token = authorization.substring(prefix.length()).trim();
        return token.isEmpty() ? null : token;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "LocalToken[redacted]";
    }
}
