package dev.sessionops.claude.http;

import static dev.sessionops.claude.api.aggregation.ExtensionApiserverAuthentication.*;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.aggregation.ExtensionApiserverAuthentication;

/**
 * What the kube-apiserver publishes in {@code kube-system/extension-apiserver-authentication} about its front proxy:
 * the CA that signs its client certificate, the certificate names allowed to assert identities, and the headers it
 * puts the user in. Read the same way the Kubernetes API server library reads it for aggregated API servers.
 */
public record FrontProxyConfig(List<X509Certificate> clientCas, List<String> allowedNames, List<String> usernameHeaders,
        List<String> groupHeaders, List<String> extraHeaderPrefixes) {
    public static final String NAMESPACE = ExtensionApiserverAuthentication.NAMESPACE;
    public static final String NAME = ExtensionApiserverAuthentication.NAME;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * From the ConfigMap's data.
     *
     * @throws IllegalArgumentException when the CA is missing or unreadable, or no username header is named: without
     *         them no request can be trusted
     */
    public static FrontProxyConfig parse(Map<String, String> data) {
        String pem = data == null ? null : data.get(CA_KEY);
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException(NAMESPACE + "/" + NAME + " has no " + CA_KEY
                    + ": the API server runs without --requestheader-client-ca-file, so it cannot proxy to aggregated APIs");
        }
        List<X509Certificate> cas;
        try {
            cas = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                    .map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            throw new IllegalArgumentException(CA_KEY + " is not a PEM certificate bundle: " + e.getMessage(), e);
        }
        if (cas.isEmpty()) {
            throw new IllegalArgumentException(CA_KEY + " holds no certificate");
        }
        List<String> users = list(data, USERNAME_HEADERS_KEY);
        if (users.isEmpty()) {
            throw new IllegalArgumentException(NAMESPACE + "/" + NAME + " names no " + USERNAME_HEADERS_KEY);
        }
        return new FrontProxyConfig(cas, list(data, ALLOWED_NAMES_KEY), users, list(data, GROUP_HEADERS_KEY),
                list(data, EXTRA_PREFIXES_KEY));
    }

    /** The values are JSON arrays of strings (an absent key is an empty list). */
    private static List<String> list(Map<String, String> data, String key) {
        String value = data.get(key);
        if (value == null || value.isBlank()) {
            return List.of();
        }
        try {
            return List.copyOf(JSON.readValue(value, new TypeReference<List<String>>() {
            }));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(key + " is not a JSON array of strings: " + e.getMessage(), e);
        }
    }
}
