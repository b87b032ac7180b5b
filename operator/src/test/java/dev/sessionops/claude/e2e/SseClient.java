package dev.sessionops.claude.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A Server-Sent Events subscriber for tests, reading the stream the way an EventSource does (fields {@code id},
 * {@code event}, {@code data}; a blank line ends an event; lines starting with a colon are comments), and keeping the
 * raw text too, so the framing itself can be checked.
 */
public final class SseClient {
    /** One received event and when it arrived. */
    public record Event(String id, String event, String data, Instant receivedAt) {
    }

    /** Everything one subscription received. */
    public record Received(int status, String contentType, List<Event> events, List<String> comments, String raw, boolean ended,
            HttpHeaders headers) {
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private static final HttpClient AS_FRONT_PROXY = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .sslContext(ApiClient.frontProxyTls()).build();

    private SseClient() {
    }

    /**
     * Subscribes in the background as the aggregation layer speaking for the user of {@code token} (an
     * {@link ApiUsers#token} handle); the future completes when the server ends the stream (or it fails).
     */
    public static CompletableFuture<Received> subscribe(URI uri, String token, String lastEventId) {
        return subscribe(AS_FRONT_PROXY, uri, java.util.Map.of("X-Remote-User", List.of(ApiUsers.userOf(token)),
                "X-Remote-Group", List.of("system:authenticated")), lastEventId);
    }

    /** Subscribes with this client and these headers (e.g. through a real API server with a bearer token). */
    public static CompletableFuture<Received> subscribe(HttpClient http, URI uri, java.util.Map<String, List<String>> headers,
            String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(120));
        headers.forEach((name, values) -> values.forEach(v -> request.header(name, v)));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
                .thenApplyAsync(response -> read(response));
    }

    private static Received read(HttpResponse<InputStream> response) {
        List<Event> events = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        StringBuilder raw = new StringBuilder();
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        HttpHeaders headers = response.headers();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                raw.append(line).append('\n');
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, event == null ? "message" : event, data.toString(), Instant.now()));
                    }
                    id = null;
                    event = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    comments.add(line.substring(1).strip());
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            return new Received(response.statusCode(), contentType, events, comments, raw.toString(), false, headers);
        }
        return new Received(response.statusCode(), contentType, events, comments, raw.toString(), true, headers);
    }

    /**
     * An open event stream that the test reads nothing from and closes when it likes, as a client that leaves: a plain
     * socket, so closing it closes the connection at once.
     */
    public static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final int status;

        private Connection(Socket socket, int status) {
            this.socket = socket;
            this.status = status;
        }

        /**
         * Sends the request as the aggregation layer speaking for the user of {@code token} (an {@link ApiUsers#token}
         * handle) and reads the status line and headers (an event stream sends them at once).
         */
        public static Connection open(URI uri, String token) throws IOException {
            Socket socket = ApiClient.frontProxyTls().getSocketFactory().createSocket(uri.getHost(), uri.getPort());
            try {
                socket.setSoTimeout(30_000);
                String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                        + "\r\nAccept: text/event-stream\r\nX-Remote-User: " + ApiUsers.userOf(token)
                        + "\r\nX-Remote-Group: system:authenticated\r\n\r\n";
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                while (head.indexOf("\r\n\r\n") < 0) {
                    int b = in.read();
                    if (b < 0) {
                        throw new IOException("the connection closed in the headers: " + head);
                    }
                    head.append((char) b);
                }
                return new Connection(socket, Integer.parseInt(head.toString().split(" ", 3)[1]));
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }

        public int status() {
            return status;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closed
            }
        }
    }
}
