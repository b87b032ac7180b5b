package dev.sessionops.claude.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.local.Pki;
import dev.sessionops.claude.testing.TestPki;

/**
 * HTTPS calls to the operator's read API as the kube-apiserver's aggregation layer makes them: the front-proxy
 * client certificate and the user in {@code X-Remote-User}/{@code X-Remote-Group}. Also the calls an attacker
 * inside the cluster could make directly: no certificate, another CA's, forged headers.
 */
public final class ApiClient {
    /** One answer: its status and its JSON body. */
    public record Reply(int status, JsonNode body, String raw) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Pki.Issued, HttpClient> CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final HttpClient NO_CERTIFICATE = http(null);

    private final URI base;

    /** @param base the operator's HTTPS root, e.g. {@code https://localhost:8444/} */
    public ApiClient(URI base) {
        this.base = base;
    }

    public URI uri(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** As the front proxy speaking for {@code user} (a name from {@link ApiUsers#token}). */
    public Reply getAs(String token, String path) {
        String user = ApiUsers.userOf(token);
        return get(path, TestPki.FRONT_PROXY, Map.of("X-Remote-User", List.of(user),
                "X-Remote-Group", List.of("system:authenticated")));
    }

    /** No client certificate and no headers. */
    public Reply get(String path) {
        return get(path, null, Map.of());
    }

    /** With {@code certificate} (null: none) and these headers; the path is sent exactly as given. */
    public Reply get(String path, Pki.Issued certificate, Map<String, List<String>> headers) {
        // no Accept header, as curl's */*: errors of the event stream are JSON too
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        headers.forEach((name, values) -> values.forEach(v -> request.header(name, v)));
        HttpClient http = certificate == null ? NO_CERTIFICATE : CLIENTS.computeIfAbsent(certificate, ApiClient::http);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            try {
                body = response.body().isEmpty() ? null : JSON.readTree(response.body());
            } catch (IOException notJson) {
                // the raw text is there for the assertion
            }
            return new Reply(response.statusCode(), body, response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The SSL context a streaming client (SSE) needs to call as the front proxy. */
    public static SSLContext frontProxyTls() {
        return TestPki.clientContext(TestPki.FRONT_PROXY);
    }

    private static HttpClient http(Pki.Issued certificate) {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(TestPki.clientContext(certificate))
                .build();
    }
}
