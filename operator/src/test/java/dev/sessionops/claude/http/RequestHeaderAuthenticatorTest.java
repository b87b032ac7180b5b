package dev.sessionops.claude.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.local.Pki;

/** Kubernetes' request-header rules: who may speak for a user, and what it says. */
class RequestHeaderAuthenticatorTest {
    private static final Pki.Issued CA = Pki.ca("front-proxy-ca");
    private static final Pki.Issued PROXY = Pki.client(CA, "front-proxy-client", List.of());
    private static final FrontProxyConfig CONFIG = FrontProxyConfig.parse(dev.sessionops.claude.api.aggregation.ExtensionApiserverAuthentication.published(CA.certPem(),
            "front-proxy-client"));
    private static final Map<String, List<String>> ALICE = Map.of("x-remote-user", List.of("alice"),
            "x-remote-group", List.of("devs", "system:authenticated"), "x-remote-extra-scopes%2fa", List.of("s1"));

    private static RequestHeaderAuthenticator.Result auth(List<X509Certificate> chain, Map<String, List<String>> headers,
            FrontProxyConfig config) {
        return RequestHeaderAuthenticator.authenticate(chain, headers, config, new Date());
    }

    @Test
    void theFrontProxysCertificateCarriesTheUserGroupsAndExtras() {
        Caller caller = auth(List.of(PROXY.cert()), ALICE, CONFIG).caller().orElseThrow();
        assertEquals("alice", caller.username());
        assertEquals(List.of("devs", "system:authenticated"), caller.groups());
        assertEquals(Map.of("scopes/a", List.of("s1")), caller.extra());
    }

    @Test
    void anythingElseIsNobody() {
        Pki.Issued otherCa = Pki.ca("front-proxy-ca"); // same name, other key
        Pki.Issued forged = Pki.client(otherCa, "front-proxy-client", List.of());
        Pki.Issued notAllowed = Pki.client(CA, "kubelet", List.of());
        Pki.Issued serving = Pki.server(CA, "front-proxy-client", List.of("x"), List.of()); // serverAuth only
        assertFalse(auth(List.of(), ALICE, CONFIG).caller().isPresent(), "no certificate");
        assertFalse(auth(List.of(forged.cert()), ALICE, CONFIG).caller().isPresent(), "another CA");
        assertTrue(auth(List.of(forged.cert()), ALICE, CONFIG).unknownIssuer(), "another CA: re-read the trust");
        assertFalse(auth(List.of(notAllowed.cert()), ALICE, CONFIG).unknownIssuer(), "known CA, wrong name");
        Map<String, List<String>> badExtra = new HashMap<>(ALICE);
        badExtra.put("x-remote-extra-%zz", List.of("v"));
        assertFalse(auth(List.of(PROXY.cert()), badExtra, CONFIG).caller().isPresent(), "malformed extra name: refused, no exception");
        assertFalse(auth(List.of(forged.cert(), otherCa.cert()), ALICE, CONFIG).caller().isPresent(), "another CA with its chain");
        assertFalse(auth(List.of(notAllowed.cert()), ALICE, CONFIG).caller().isPresent(), "a name not allowed");
        assertFalse(auth(List.of(serving.cert()), ALICE, CONFIG).caller().isPresent(), "not for client auth");
        assertFalse(auth(List.of(CA.cert()), ALICE, CONFIG).caller().isPresent(), "the CA itself");
        assertFalse(auth(List.of(PROXY.cert()), Map.of(), CONFIG).caller().isPresent(), "no user named");
        assertFalse(auth(List.of(PROXY.cert()), Map.of("x-remote-user", List.of("")), CONFIG).caller().isPresent(), "empty user");
        Date later = new Date(System.currentTimeMillis() + 400L * 24 * 3600 * 1000);
        assertFalse(RequestHeaderAuthenticator.authenticate(List.of(PROXY.cert()), ALICE, CONFIG, later).caller().isPresent(),
                "expired");
    }

    @Test
    void withoutAllowedNamesAnyCertificateOfTheCaMaySpeak() {
        Map<String, String> data = new HashMap<>(Map.of("requestheader-client-ca-file", CA.certPem(),
                "requestheader-username-headers", "[\"X-Remote-User\"]"));
        Pki.Issued any = Pki.client(CA, "anything", List.of());
        assertTrue(auth(List.of(any.cert()), ALICE, FrontProxyConfig.parse(data)).caller().isPresent());
    }

    @Test
    void aConfigMapWithoutCaOrUserHeaderIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> FrontProxyConfig.parse(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> FrontProxyConfig.parse(Map.of("requestheader-client-ca-file", "junk")));
        assertThrows(IllegalArgumentException.class, () -> FrontProxyConfig.parse(Map.of("requestheader-client-ca-file", CA.certPem())));
        assertThrows(IllegalArgumentException.class, () -> FrontProxyConfig.parse(Map.of("requestheader-client-ca-file",
                CA.certPem(), "requestheader-username-headers", "not json")));
    }
}
