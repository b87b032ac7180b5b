package dev.sessionops.claude.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class TokenSignerTest {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    static final TokenClaims CLAIMS = new TokenClaims("team-a", "fix-bug-01", "6f1d2c3b-0000-4000-8000-000000000001",
            NOW.plus(Duration.ofMinutes(30)));

    final TokenSigner signer = new TokenSigner(KEY);

    @Test
    void aTokenVerifiesToItsClaimsUntilItExpires() {
        String token = signer.sign(CLAIMS);
        assertTrue(token.startsWith("cso-gw1."), token);
        TokenSigner.Verification v = signer.verify(token, NOW);
        assertTrue(v.valid(), v.problem());
        assertEquals(CLAIMS, v.claims());
        assertTrue(signer.verify(token, NOW.plus(Duration.ofMinutes(29))).valid());

        TokenSigner.Verification expired = signer.verify(token, CLAIMS.expiresAt());
        assertFalse(expired.valid());
        assertTrue(expired.problem().contains("expired"), expired.problem());
    }

    @Test
    void anotherReplicaWithTheSameKeyVerifiesIt() {
        assertTrue(new TokenSigner(KEY.clone()).verify(signer.sign(CLAIMS), NOW).valid());
    }

    @Test
    void aKeyOfAnotherInstallDoesNotVerifyIt() {
        byte[] other = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);
        TokenSigner.Verification v = new TokenSigner(other).verify(signer.sign(CLAIMS), NOW);
        assertFalse(v.valid());
        assertTrue(v.problem().contains("signature"), v.problem());
    }

    @Test
    void aTamperedTokenIsRefused() {
        String token = signer.sign(CLAIMS);
        int dot = token.lastIndexOf('.');
        // the same signature over claims naming another message, a later expiry, another namespace
        for (TokenClaims forged : new TokenClaims[] {
                new TokenClaims("team-a", "other-msg", CLAIMS.messageUid(), CLAIMS.expiresAt()),
                new TokenClaims("team-a", CLAIMS.messageName(), CLAIMS.messageUid(), CLAIMS.expiresAt().plusSeconds(86400)),
                new TokenClaims("team-b", CLAIMS.messageName(), CLAIMS.messageUid(), CLAIMS.expiresAt()) }) {
            String forgedToken = signer.sign(forged);
            String spliced = forgedToken.substring(0, forgedToken.lastIndexOf('.')) + token.substring(dot);
            assertFalse(signer.verify(spliced, NOW).valid(), forged.toString());
        }
        // a flipped character anywhere
        for (int i = TokenSigner.PREFIX.length(); i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                continue;
            }
            String flipped = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
            assertFalse(signer.verify(flipped, NOW).valid(), "flipped at " + i);
        }
        assertFalse(signer.verify(token.substring(0, dot), NOW).valid(), "no signature");
        assertFalse(signer.verify(token + "A", NOW).valid(), "longer signature");
    }

    @Test
    void garbageIsRefusedWithoutEchoingIt() {
        for (String garbage : new String[] { null, "", "sk-ant-api03-real-looking-key", "cso-gw1.", "cso-gw1..",
                "cso-gw1.!!!.???", "cso-gw1." + "A".repeat(2000) + ".B",
                // a payload that is not four lines, signed properly: still refused
                signedPayload("team-a\nname"), signedPayload("team-a\nname\nuid\nnot-a-number"),
                signedPayload("Team_A\nname\nuid\n99999999999") }) {
            TokenSigner.Verification v = signer.verify(garbage, NOW);
            assertFalse(v.valid(), String.valueOf(garbage));
            if (garbage != null && !garbage.isEmpty()) {
                assertFalse(v.problem().contains(garbage), v.problem());
            }
        }
    }

    @Test
    void aShortKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TokenSigner(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new TokenSigner(null));
    }

    @Test
    void claimsAreKubernetesNames() {
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims("Team_A", "m", "u", NOW));
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims("team-a", "m/../x", "u", NOW));
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims("team-a", "m", "u\nx", NOW));
        assertTrue(CLAIMS.isFor("team-a", "fix-bug-01"));
        assertFalse(CLAIMS.isFor("team-b", "fix-bug-01"));
        assertFalse(CLAIMS.isFor("team-a", "fix-bug-02"));
    }

    /** A token over {@code payload} with a valid MAC: what only a key holder could make. */
    private String signedPayload(String payload) {
        String signed = TokenSigner.PREFIX + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        try {
            var mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(KEY, "HmacSHA256"));
            return signed + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
