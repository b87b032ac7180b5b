package dev.sessionops.claude.http;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLPeerUnverifiedException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.sessionops.claude.api.wire.ApiPaths;

/**
 * The first handler of the API port, before any routing or normalisation, for every request whatever its path:
 * the caller must be the kube-apiserver's front proxy speaking for a user (client certificate signed by the
 * front-proxy CA, {@link RequestHeaderAuthenticator}), else 401; then the raw path must be plain Kubernetes names
 * ({@link ApiPaths#syntaxProblem}), else 400. Only then does the request reach the routes, with the caller attached
 * for {@link ApiAuthFilter}'s per-route authorization. Memory only (it runs on the event loop): the trust is read in
 * the background by {@link FrontProxyTrust}. The management port (health, metrics) has its own router. The one
 * path it does not see is the admission webhook's ({@code admission.AdmissionRoute}, ordered before it): the
 * kube-apiserver calls webhooks without the front proxy's certificate.
 */
@ApplicationScoped
public class ApiGate {
    static final String CALLER = "cso.caller";
    private static final Logger LOG = Logger.getLogger(ApiGate.class);

    private final FrontProxyTrust trust;
    private final ObjectMapper json;

    public ApiGate(FrontProxyTrust trust, ObjectMapper json) {
        this.trust = trust;
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::handle);
        // last: what no route of the API serves is a Status too, never a framework page
        router.route().order(Integer.MAX_VALUE).handler(ctx -> deny(ctx,
                new ApiException(404, "NotFound", "the server could not find the requested resource")));
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Optional<FrontProxyConfig> config = trust.current();
        if (config.isEmpty()) {
            deny(ctx, ApiException.unavailable("the API cannot authenticate requests yet: the front-proxy trust of "
                    + FrontProxyConfig.NAMESPACE + "/" + FrontProxyConfig.NAME + " has not been read"));
            return;
        }
        RequestHeaderAuthenticator.Result result = RequestHeaderAuthenticator.authenticate(peerChain(request),
                headers(request), config.get(), new Date());
        if (result.caller().isEmpty()) {
            if (result.unknownIssuer()) {
                trust.suspectStale();
            }
            LOG.debugf("HTTP API: unauthenticated request: %s", result.refusal());
            deny(ctx, ApiException.unauthorized("Unauthorized: this API is served through the Kubernetes API server "
                    + "(kubectl get --raw " + ApiPaths.BASE + "/…)"));
            return;
        }
        String problem = ApiPaths.syntaxProblem(request.path());
        if (problem != null) {
            deny(ctx, ApiException.badRequest(problem));
            return;
        }
        ctx.put(CALLER, result.caller().get());
        ctx.next();
    }

    private void deny(RoutingContext ctx, ApiException e) {
        String body;
        try {
            body = json.writeValueAsString(e.toError());
        } catch (JsonProcessingException impossible) {
            body = "{}";
        }
        var response = ctx.response().setStatusCode(e.status()).putHeader("Content-Type", "application/json");
        if (e.status() == 503) {
            response.putHeader("Retry-After", "2");
        }
        response.end(body);
    }

    private static List<X509Certificate> peerChain(HttpServerRequest http) {
        if (!http.isSSL()) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : http.connection().peerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    private static Map<String, List<String>> headers(HttpServerRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.headers().forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                .add(h.getValue()));
        return headers;
    }
}
