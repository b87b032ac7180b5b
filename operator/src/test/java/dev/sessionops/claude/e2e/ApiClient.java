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

    /**
     * The request line exactly as given, on a raw TLS socket: no client library resolves {@code ..} or merges
     * {@code //} first, so the server sees what an attacker would send.
     */
    public Reply getRaw(String path, Pki.Issued certificate, Map<String, List<String>> headers) {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) TestPki.clientContext(certificate).getSocketFactory()
                .createSocket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nConnection: close\r\n");
            headers.forEach((name, values) -> values.forEach(v -> request.append(name).append(": ").append(v).append("\r\n")));
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            int bodyStart = response.indexOf("\r\n\r\n");
            String body = bodyStart < 0 ? "" : response.substring(bodyStart + 4);
            if (response.substring(0, Math.max(bodyStart, 0)).toLowerCase().contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            JsonNode json = null;
            try {
                json = body.isBlank() ? null : JSON.readTree(body);
            } catch (IOException notJson) {
                // the raw text is there for the assertion
            }
            return new Reply(status, json, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int eol = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, eol).trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
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
