package dev.sessionops.claude.kubectl;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.sessionops.claude.api.wire.ApiPaths;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;

/**
 * The operator's API where the API server serves it, {@code /apis/api.claude.sessionops.dev/v1alpha1/…}, with the
 * kube client's own HTTP client and credentials: the API server authenticates the user (any kubeconfig auth works)
 * and proxies to the operator, which never sees a token. A redirect is never followed: credentials stay with the
 * server the kubeconfig names.
 */
final class AggregatedTransport implements ApiTransport {
    private static final long REQUEST_TIMEOUT_SECONDS = 30;

    private final KubernetesClient own;
    private final HttpClient http;
    private final String base;

    AggregatedTransport(KubernetesClient client) {
        // A client of its own (same config and credentials, its own connections): an event stream cut short must not
        // leave a dead connection in the pool the kube client's own requests use.
        this.own = new KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withHttpClientFactory(new VertxHttpClientFactory()).build();
        this.http = own.getHttpClient();
        String master = client.getConfiguration().getMasterUrl();
        this.base = (master.endsWith("/") ? master.substring(0, master.length() - 1) : master) + ApiPaths.BASE;
    }

    @Override
    public Response get(String path, String accept, String lastEventId, boolean streaming) throws IOException {
        try {
            return send(path, accept, lastEventId, streaming);
        } catch (ApiUnavailableException e) {
            if (!(e.getCause() instanceof io.vertx.core.http.HttpClosedException)) {
                throw e;
            }
            // a pooled connection the server had closed (after an event stream ended): once more on a new one
            return send(path, accept, lastEventId, streaming);
        }
    }

    private Response send(String path, String accept, String lastEventId, boolean streaming) throws IOException {
        HttpRequest.Builder req = http.newHttpRequestBuilder().uri(base + path).header("Accept", accept);
        if (lastEventId != null) {
            req.header("Last-Event-ID", lastEventId);
        }
        if (streaming) {
            req.forStreaming();
        }
        try {
            HttpResponse<InputStream> r = http.sendAsync(req.build(), InputStream.class)
                    .get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (r.code() / 100 == 3) {
                r.body().close();
                throw new CliException(ExitCodes.UNREACHABLE, "the API server answered " + r.code() + " (a redirect to "
                        + r.header("Location") + "): not followed, so the kubeconfig's credentials stay where they belong", null);
            }
            return new Response(r.code(), r.header("Content-Type"), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String why = Failure.transportProblem(cause);
            throw new ApiUnavailableException("the operator API is not reachable at " + describe() + ": "
                    + (why != null ? why : cause.toString()), cause);
        }
    }

    @Override
    public String describe() {
        return base;
    }

    @Override
    public void close() {
        own.close();
    }
}
