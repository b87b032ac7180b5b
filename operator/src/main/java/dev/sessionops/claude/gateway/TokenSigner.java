package dev.sessionops.claude.gateway;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies per-message tokens: {@code cso-gw1.<payload>.<mac>}, the payload the claims (namespace, name,
 * uid, expiry in epoch seconds, one per line) in base64url, the mac HMAC-SHA256 over everything before it with the
 * key every replica reads from the same Secret. Self-contained, so any replica verifies a token any other issued
 * without shared state; whether the message still runs is the gateway's separate check.
 */
public final class TokenSigner {
    static final String PREFIX = "cso-gw1.";
    /** Longer is garbage, refused before any decoding. */
    static final int MAX_LENGTH = 1024;
    /** The shortest signing key accepted (HMAC-SHA256's own size). */
    public static final int MIN_KEY_BYTES = 32;
    private static final String MAC = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    public TokenSigner(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the gateway's signing key needs at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(key.clone(), MAC);
    }

    public String sign(TokenClaims claims) {
        String payload = String.join("\n", claims.namespace(), claims.messageName(), claims.messageUid(),
                Long.toString(claims.expiresAt().getEpochSecond()));
        String signed = PREFIX + ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return signed + "." + ENCODER.encodeToString(mac(signed));
    }

    /** What a presented token is worth at {@code now}. Never echoes the token. */
    public Verification verify(String token, Instant now) {
        if (token == null || token.length() > MAX_LENGTH || !token.startsWith(PREFIX)) {
            return Verification.invalid("not a token of this gateway");
        }
        int dot = token.lastIndexOf('.');
        if (dot <= PREFIX.length()) {
            return Verification.invalid("malformed token");
        }
        String signed = token.substring(0, dot);
        byte[] presented;
        try {
            presented = DECODER.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Verification.invalid("malformed token");
        }
        // constant time: a forger learns nothing from how long a comparison took
        if (!MessageDigest.isEqual(mac(signed), presented)) {
            return Verification.invalid("token signature does not verify");
        }
        TokenClaims claims;
        try {
            String[] fields = new String(DECODER.decode(signed.substring(PREFIX.length())), StandardCharsets.UTF_8)
                    .split("\n", -1);
            if (fields.length != 4) {
                return Verification.invalid("malformed token");
            }
            claims = new TokenClaims(fields[0], fields[1], fields[2], Instant.ofEpochSecond(Long.parseLong(fields[3])));
        } catch (IllegalArgumentException e) { // NumberFormatException too
            return Verification.invalid("malformed token");
        }
        if (!now.isBefore(claims.expiresAt())) {
            return new Verification(null, "token expired at " + claims.expiresAt());
        }
        return new Verification(claims, null);
    }

    private byte[] mac(String signed) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(key);
            return mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The claims of a valid token, or why it is not one. */
    public record Verification(TokenClaims claims, String problem) {
        static Verification invalid(String problem) {
            return new Verification(null, problem);
        }

        public boolean valid() {
            return claims != null;
        }
    }
}
