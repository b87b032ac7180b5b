package dev.sessionops.claude.kubectl;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
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

    private final KubernetesClient client;
    private final String operatorNamespace;
    private final String service;
    private final KubernetesClient own;
    private final HttpClient http;
    private final String base;
    private boolean serviceChecked;

    ServiceProxyTransport(KubernetesClient client, String operatorNamespace, String service) {
        this.client = client;
        this.operatorNamespace = operatorNamespace;
        this.service = service;
        // A client of its own (same config and credentials, its own connections): an answer that is not the API's,
        // or an event stream the watchdog cuts short, must not leave a dead connection in the pool that the kube
        // client's own requests use (seen with the mock API server: every later request failed).
        this.own = new KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withHttpClientFactory(new VertxHttpClientFactory()).build();
        this.http = own.getHttpClient();
        String master = client.getConfiguration().getMasterUrl();
        this.base = (master.endsWith("/") ? master : master + "/") + "api/v1/namespaces/" + operatorNamespace
                + "/services/" + service + ":http/proxy";
    }

    @Override
    public Response get(String path, String accept, String lastEventId, boolean streaming) throws IOException {
        requireService();
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

    /**
     * Says "no operator Service" plainly instead of proxying to nowhere: an API server answers a proxy request for a
     * missing Service with a Status, but not every server does (the mock server answered 200 and then dropped the
     * client's connections). A user who may not read Services still gets the proxy's own answer.
     */
    private void requireService() {
        if (serviceChecked) {
            return;
        }
        try {
            if (client.services().inNamespace(operatorNamespace).withName(service).get() == null) {
                throw new ApiUnavailableException("the operator API is not reachable: no Service " + service
                        + " in namespace " + operatorNamespace + " (give --operator-namespace, --operator-service or --api-url)");
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403) {
                throw new ApiUnavailableException("the operator API is not reachable: looking up Service " + service
                        + " failed: " + ErrorReporter.describe(e), e);
            }
        }
        serviceChecked = true;
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
        own.close();
    }
}
