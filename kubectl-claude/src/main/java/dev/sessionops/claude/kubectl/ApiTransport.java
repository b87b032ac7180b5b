package dev.sessionops.claude.kubectl;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/** How the CLI reaches the operator's API (through the API server; an interface so tests can answer in its place). */
interface ApiTransport extends AutoCloseable {

    /** A response whose body is read as it arrives (events stream); the caller closes it. */
    record Response(int status, String contentType, InputStream body) implements Closeable {
        boolean isJson() {
            return contentType != null && contentType.toLowerCase().startsWith("application/json");
        }

        String bodyText() throws IOException {
            try (InputStream in = body) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * {@code GET path} (relative to {@code /apis/api.claude.sessionops.dev/v1alpha1}, starting with {@code /namespaces/}).
     *
     * @param lastEventId sent as {@code Last-Event-ID} when not null
     * @throws ApiUnavailableException when nothing answers
     */
    Response get(String path, String accept, String lastEventId, boolean streaming) throws IOException;

    /** For messages: where the API was looked for (no credentials in it). */
    String describe();

    @Override
    void close();
}
