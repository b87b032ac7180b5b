package dev.sessionops.claude.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.sessionops.claude.local.Pki;

/**
 * The certificates of the mock tier, made once per test JVM: the operator's serving certificate (localhost), the
 * front-proxy CA and its client certificate (what the kube-apiserver's aggregation layer presents), and a second,
 * unrelated CA with a client certificate of the same name (a forgery). Files under target/test-pki.
 */
public final class TestPki {
    public static final String FRONT_PROXY_NAME = "front-proxy-client";
    private static final char[] PASSWORD = "test".toCharArray();

    public static final Pki.Issued SERVING_CA = Pki.ca("cso-test-serving-ca");
    public static final Pki.Issued SERVING = Pki.server(SERVING_CA, "localhost", List.of("localhost"), List.of("127.0.0.1"));
    public static final Pki.Issued FRONT_PROXY_CA = Pki.ca("cso-test-front-proxy-ca");
    public static final Pki.Issued FRONT_PROXY = Pki.client(FRONT_PROXY_CA, FRONT_PROXY_NAME, List.of());
    /** Signed by the right CA but not an allowed front-proxy name. */
    public static final Pki.Issued OTHER_CLIENT = Pki.client(FRONT_PROXY_CA, "some-client", List.of());
    public static final Pki.Issued FORGER_CA = Pki.ca("cso-test-front-proxy-ca");
    public static final Pki.Issued FORGED = Pki.client(FORGER_CA, FRONT_PROXY_NAME, List.of());

    private static Path dir;

    private TestPki() {
    }

    /** The operator's certificate and key files (written once). */
    public static synchronized Path dir() {
        if (dir == null) {
            try {
                Path d = Files.createDirectories(Path.of("target", "test-pki").toAbsolutePath());
                SERVING.write(d.resolve("tls.crt"), d.resolve("tls.key"));
                Pki.writePrivate(d.resolve("ca.crt"), SERVING_CA.certPem());
                dir = d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /** The data of {@code kube-system/extension-apiserver-authentication} as a kube-apiserver with these flags writes it. */
    public static Map<String, String> extensionApiserverAuthentication() {
        return dev.sessionops.claude.api.aggregation.ExtensionApiserverAuthentication.published(FRONT_PROXY_CA.certPem(), FRONT_PROXY_NAME);
    }

    /** TLS that trusts the operator's serving CA and presents {@code client} (null: no client certificate). */
    public static SSLContext clientContext(Pki.Issued client) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("serving-ca", SERVING_CA.cert());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (client != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", client.key(), PASSWORD, new Certificate[] {client.cert()});
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, PASSWORD);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
