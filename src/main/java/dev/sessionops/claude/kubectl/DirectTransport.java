package dev.sessionops.claude.kubectl;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The API at a URL given with {@code --api-url} (local mode, a port-forward, an Ingress, tests), with the kube
 * credentials' bearer token when there is one: the operator checks it with a TokenReview.
 */
final class DirectTransport implements ApiTransport {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final String baseUrl;
    private final String token;
    private final HttpClient http;

    DirectTransport(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    @Override
    public Response get(String path, String accept, String lastEventId, boolean streaming) throws IOException {
        HttpRequest.Builder req;
        try {
            req = HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().header("Accept", accept);
        } catch (IllegalArgumentException e) {
            throw new CliException("invalid operator API URL " + baseUrl + ": " + e.getMessage());
        }
        if (!streaming) {
            req.timeout(REQUEST_TIMEOUT);
        }
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        if (lastEventId != null) {
            req.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new ApiUnavailableException("the operator API at " + baseUrl + " is not reachable: " + e, e);
        }
    }

    @Override
    public String describe() {
        return baseUrl;
    }

    @Override
    public boolean proxied() {
        return false;
    }

    @Override
    public void close() {
        // java.net.http.HttpClient has no close() before Java 21; its threads are daemons
    }
}
