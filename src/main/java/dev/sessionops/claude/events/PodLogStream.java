package dev.sessionops.claude.events;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.message.PodLayout;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;

/**
 * Opens the claude container's log, following it while it grows ({@code GET pods/{pod}/log?follow=true}). Made
 * through the client's HTTP client rather than {@code watchLog()}, which first waits for the pod with a watch: that
 * would need {@code watch} on pods, and a watch per reconnect. The operator needs only {@code get} on
 * {@code pods/log}, which it has for reading finished runs.
 */
@ApplicationScoped
public class PodLogStream {
    static final String CONTAINER = PodLayout.CONTAINER;
    private static final long OPEN_TIMEOUT_SECONDS = 30;

    private final KubernetesClient client;

    public PodLogStream(KubernetesClient client) {
        this.client = client;
    }

    /**
     * The log from its first line; with {@code follow}, the stream stays open while the container runs (until the
     * API server or kubelet closes it: callers read it again, skipping what they have).
     */
    public InputStream open(String namespace, String pod, boolean follow) throws IOException {
        String url = URLUtils.join(client.getMasterUrl().toString(), "api", "v1", "namespaces", encode(namespace), "pods",
                encode(pod), "log") + "?container=" + CONTAINER + (follow ? "&follow=true" : "");
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder().uri(url).forStreaming().build();
        HttpResponse<InputStream> response;
        try {
            response = http.sendAsync(request, InputStream.class).get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted opening the log of " + pod, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot open the log of " + pod + ": " + e.getMessage(), e);
        }
        if (!response.isSuccessful()) {
            try (InputStream body = response.body()) {
                // e.g. 400 while the container is still being created
            }
            throw new IOException("log of " + namespace + "/" + pod + ": HTTP " + response.code());
        }
        return response.body();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
