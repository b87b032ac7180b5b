package dev.sessionops.claude.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class TokenAuthenticatorTest {

    @Test
    void theCacheKeyIsAHashThatDoesNotContainTheToken() {
        String token = "eyJhbGciOiJSUzI1NiJ9.secret-part";
        String key = TokenAuthenticator.sha256(token);
        assertEquals(64, key.length());
        assertFalse(key.contains("secret"));
        assertEquals(key, TokenAuthenticator.sha256(token));
        assertNotEquals(key, TokenAuthenticator.sha256(token + "x"));
    }
}
