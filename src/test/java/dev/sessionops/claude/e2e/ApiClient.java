package dev.sessionops.claude.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Plain HTTP calls to the operator's read API, as a user with a bearer token would make them. */
public final class ApiClient {
    /** One answer: its status and its JSON body. */
    public record Reply(int status, JsonNode body, String raw) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;

    /** @param base the operator's HTTP root, e.g. {@code http://localhost:8081/} */
    public ApiClient(URI base) {
        this.base = base;
    }

    public URI uri(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** GET {@code path} with {@code Authorization: <authorization>} (null: no header). */
    public Reply get(String path, String authorization) {
        // no Accept header, as curl's */*: errors of the event stream are JSON too
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? null : JSON.readTree(response.body());
            return new Reply(response.statusCode(), body, response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Reply get(String path) {
        return get(path, null);
    }

    /** As {@code user}'s bearer token. */
    public Reply getAs(String token, String path) {
        return get(path, "Bearer " + token);
    }
}
