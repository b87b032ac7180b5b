package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;

/** The kubeconfig's credentials are never sent in clear text across a network. */
class CredentialsTest {

    private static Config config(String server, String token) {
        return new ConfigBuilder().withMasterUrl(server).withOauthToken(token).build();
    }

    @Test
    void plainHttpWithCredentialsIsRefusedUnlessLoopback() {
        for (String server : new String[] {"http://10.0.0.1:8080", "http://api.example.com", "http://127.0.0.1.example.com:80",
                "http://localhost.example.com"}) {
            CliException e = assertThrows(CliException.class, () -> Credentials.requireSafeTransport(config(server, "t")), server);
            assertTrue(e.getMessage().contains("refusing to send the kubeconfig's credentials over plain HTTP"), e.getMessage());
        }
        for (String server : new String[] {"http://127.0.0.1:8080", "http://localhost:1234", "http://[::1]:80", "http://127.3.2.1",
                "https://api.example.com"}) {
            assertDoesNotThrow(() -> Credentials.requireSafeTransport(config(server, "t")), server);
        }
        // without credentials there is nothing to leak
        assertDoesNotThrow(() -> Credentials.requireSafeTransport(config("http://api.example.com", null)));
    }
}
