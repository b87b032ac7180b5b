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

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import io.vertx.core.http.HttpServerRequest;

/**
 * Guards every request of the API port, failing closed:
 * <ol>
 * <li>before routing: the caller must be the kube-apiserver's front proxy speaking for a user (client certificate
 * signed by the front-proxy CA, {@link RequestHeaderAuthenticator}); anything else is 401, whatever the path. Then
 * the raw path must be plain Kubernetes names ({@link ApiPaths#syntaxProblem}): 400, before anything decodes it.</li>
 * <li>after routing: the matched route's own path parameters (never a re-parse of the path) must be a valid
 * namespace and name (400), and the user must be allowed to {@code get} the route's resource in that namespace
 * ({@link AccessReviewer}, 403); a route without {@link Guarded} is refused.</li>
 * </ol>
 * Both run before any lookup, so the API never tells a caller what exists where they may not look.
 */
public class ApiAuthFilter {
    private static final Logger LOG = Logger.getLogger(ApiAuthFilter.class);

    private final FrontProxyTrust trust;
    private final AccessReviewer access;
    private final CurrentCaller current;

    public ApiAuthFilter(FrontProxyTrust trust, AccessReviewer access, CurrentCaller current) {
        this.trust = trust;
        this.access = access;
        this.current = current;
    }

    /** Memory only (it runs on the event loop): the trust is read in the background by {@link FrontProxyTrust}. */
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> authenticate(ContainerRequestContext request, HttpServerRequest http) {
        Optional<FrontProxyConfig> config = trust.current();
        if (config.isEmpty()) {
            return deny(ApiException.unavailable("the API cannot authenticate requests yet: the front-proxy trust of "
                    + FrontProxyConfig.NAMESPACE + "/" + FrontProxyConfig.NAME + " has not been read"));
        }
        RequestHeaderAuthenticator.Result result = RequestHeaderAuthenticator.authenticate(peerChain(http),
                headers(request), config.get(), new Date());
        if (result.caller().isEmpty()) {
            if (result.refusal() != null && result.refusal().contains("not signed")) {
                trust.suspectStale();
            }
            LOG.debugf("HTTP API: unauthenticated request: %s", result.refusal());
            return deny(ApiException.unauthorized("Unauthorized: this API is served through the Kubernetes API server "
                    + "(kubectl get --raw " + ApiPaths.BASE + "/…)"));
        }
        current.set(result.caller().get());
        String raw = http.path();
        String problem = ApiPaths.syntaxProblem(raw);
        if (problem != null) {
            return deny(ApiException.badRequest(problem));
        }
        return Optional.empty();
    }

    /** After matching: the route's parameters, then the SubjectAccessReview for its resource. */
    @ServerRequestFilter
    public Optional<Response> authorize(ContainerRequestContext request, ResourceInfo route) {
        Caller caller = current.get();
        Guarded guarded = route.getResourceClass() == null ? null : route.getResourceClass().getAnnotation(Guarded.class);
        if (caller == null || guarded == null) {
            return deny(ApiException.forbidden("this route is not open to anyone"));
        }
        var params = request.getUriInfo().getPathParameters();
        String namespace = params.getFirst("namespace");
        String name = params.getFirst("name");
        if (params.containsKey("namespace") && ApiPaths.namespaceProblem(namespace) != null) {
            return deny(ApiException.badRequest(ApiPaths.namespaceProblem(namespace)));
        }
        if (params.containsKey("name") && ApiPaths.nameProblem(name) != null) {
            return deny(ApiException.badRequest(ApiPaths.nameProblem(name)));
        }
        String resource = guarded.value();
        if (resource.isEmpty()) {
            return Optional.empty();
        }
        if (namespace == null || !access.allowed(caller, namespace, resource)) {
            LOG.debugf("HTTP API: %s may not get %s in %s", caller.username(), resource, namespace);
            return deny(ApiException.forbidden(resource + "." + ClaudeSession.GROUP + " is forbidden: User \""
                    + ApiPaths.printable(caller.username()) + "\" cannot get resource \"" + resource + "\" in API group \""
                    + ClaudeSession.GROUP + "\" in the namespace \"" + namespace + "\""));
        }
        return Optional.empty();
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

    private static Map<String, List<String>> headers(ContainerRequestContext request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.getHeaders().forEach((name, values) -> headers
                .computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
        return headers;
    }

    static Optional<Response> deny(ApiException e) {
        Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(e.toError());
        if (e.status() == 503) {
            r.header("Retry-After", "2");
        }
        return Optional.of(r.build());
    }
}
