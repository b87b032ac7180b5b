package dev.sessionops.claude.events;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.api.runner.PodLayout;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;

/**
 * Reads the claude container's log, following it while it grows ({@code GET pods/{pod}/log?follow=true}).
 * <ul>
 * <li>Made through the client's HTTP client, not {@code watchLog()}, which first waits for the pod with a watch: that
 * would need {@code watch} on pods, and a watch per reconnect. The operator needs only {@code get} on
 * {@code pods/log}, which it has for reading finished runs.</li>
 * <li>Consumed chunk by chunk and always to its end, never closed early: with the Vert.x HTTP client, closing a
 * response stream resets its request, and once the response has ended that closes the pooled connection the client
 * may already have handed to another request (seen on the mock server: other calls failing with "Connection was
 * closed").</li>
 * </ul>
 */
@ApplicationScoped
public class PodLogStream {
    static final String CONTAINER = PodLayout.CONTAINER;
    private static final long OPEN_TIMEOUT_SECONDS = 30;
    private static final Object END = new Object();

    private final KubernetesClient client;

    public PodLogStream(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Reads the log from its first line, handing each chunk to {@code chunks} on the calling thread; with
     * {@code follow}, until the container ends (or the API server or kubelet closes the stream: callers read it again,
     * skipping what they have). {@code abort} is asked while no data comes; true cancels the read.
     *
     * @throws IOException when the log cannot be read (e.g. HTTP 400 while the container is being created)
     */
    public void read(String namespace, String pod, boolean follow, Consumer<byte[]> chunks, BooleanSupplier abort)
            throws IOException, InterruptedException {
        String url = URLUtils.join(client.getMasterUrl().toString(), "api", "v1", "namespaces", encode(namespace), "pods",
                encode(pod), "log") + "?container=" + CONTAINER + (follow ? "&follow=true" : "");
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder().uri(url).forStreaming().build();
        // chunks arrive on the client's event loop; they are handled here, on the caller's thread, which may block
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        AsyncBody.Consumer<List<ByteBuffer>> consumer = (buffers, body) -> queue.add(bytes(buffers));
        HttpResponse<AsyncBody> response;
        try {
            response = http.consumeBytes(request, consumer).get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot open the log of " + pod + ": " + e.getMessage(), e);
        }
        AsyncBody body = response.body();
        body.done().whenComplete((v, error) -> queue.add(error == null ? END : error));
        boolean ok = response.isSuccessful();
        body.consume();
        while (true) {
            Object item = queue.poll(1, TimeUnit.SECONDS);
            if (item == null) {
                if (abort.getAsBoolean()) {
                    body.cancel();
                    throw new IOException("reading the log of " + pod + " aborted");
                }
            } else if (item == END) {
                break;
            } else if (item instanceof Throwable t) {
                throw new IOException("log of " + pod + " interrupted: " + t.getMessage(), t);
            } else {
                if (ok) {
                    chunks.accept((byte[]) item);
                }
                body.consume(); // the next chunk: the client's buffer never outgrows what is handled here
            }
        }
        if (!ok) {
            throw new Refused(response.code(), "log of " + namespace + "/" + pod + ": HTTP " + response.code());
        }
    }

    /** The API server answered the log request with an error status (404: the pod is gone). */
    public static final class Refused extends IOException {
        private final int code;

        Refused(int code, String message) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    private static byte[] bytes(List<ByteBuffer> buffers) {
        int size = buffers.stream().mapToInt(ByteBuffer::remaining).sum();
        byte[] bytes = new byte[size];
        int at = 0;
        for (ByteBuffer b : buffers) {
            int n = b.remaining();
            b.get(bytes, at, n);
            at += n;
        }
        return bytes;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
