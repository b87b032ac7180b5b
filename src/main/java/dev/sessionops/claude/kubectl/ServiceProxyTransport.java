package dev.sessionops.claude.kubectl;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;

/**
 * The API through the API server's service proxy
 * ({@code /api/v1/namespaces/<ns>/services/<service>:http/proxy/…}), with the kube client's own HTTP client and
 * credentials: no port-forward, and the API server checks that the user may proxy to the Service.
 */
final class ServiceProxyTransport implements ApiTransport {
    private static final long REQUEST_TIMEOUT_SECONDS = 30;

    private final HttpClient http;
    private final String base;

    ServiceProxyTransport(KubernetesClient client, String operatorNamespace, String service) {
        this.http = client.getHttpClient();
        String master = client.getConfiguration().getMasterUrl();
        this.base = (master.endsWith("/") ? master : master + "/") + "api/v1/namespaces/" + operatorNamespace
                + "/services/" + service + ":http/proxy";
    }

    @Override
    public Response get(String path, String accept, String lastEventId, boolean streaming) throws IOException {
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
            return new Response(r.code(), r.header("Content-Type"), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ApiUnavailableException("the operator API is not reachable through the service proxy at "
                    + describe() + ": " + cause, cause);
        }
    }

    @Override
    public String describe() {
        return base;
    }

    @Override
    public boolean proxied() {
        return true;
    }

    @Override
    public void close() {
        // the kube client owns the HTTP client
    }
}
