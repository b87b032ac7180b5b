package dev.sessionops.claude.http;

import java.util.List;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.sessionops.claude.OperatorConfig;

/**
 * Guards every {@code /api/v1/namespaces/{namespace}/(sessions|messages)…} call: the bearer token must be one the
 * API server accepts (401 otherwise), and its user must be allowed to {@code get} claudesessions, or claudemessages
 * for the message calls, in that namespace (403 otherwise). Checked before the 404s, so the API never tells a
 * caller what exists where they may not look. Off only in local mode ({@code cso.api.auth.enabled=false}).
 */
public class ApiAuthFilter {
    private static final Logger LOG = Logger.getLogger(ApiAuthFilter.class);
    private static final String BEARER = "Bearer ";

    private final OperatorConfig config;
    private final TokenAuthenticator tokens;
    private final AccessReviewer access;
    private final CurrentCaller current;

    public ApiAuthFilter(OperatorConfig config, TokenAuthenticator tokens, AccessReviewer access, CurrentCaller current) {
        this.config = config;
        this.tokens = tokens;
        this.access = access;
        this.current = current;
    }

    /** Runs after matching, on the resource method's (worker) thread: the reviews are blocking calls. */
    @ServerRequestFilter
    public Optional<Response> authorize(ContainerRequestContext request) {
        Optional<ApiPath> path = ApiPath.parse(request.getUriInfo().getPath());
        if (path.isEmpty() || !config.api().auth().enabled()) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || header.substring(BEARER.length()).isBlank()) {
            return deny(ApiException.unauthorized("a bearer token is required (Authorization: Bearer <token>)"));
        }
        Optional<Caller> caller = tokens.authenticate(header.substring(BEARER.length()).trim());
        if (caller.isEmpty()) {
            return deny(ApiException.unauthorized("the bearer token was not accepted by the Kubernetes API server"));
        }
        current.set(caller.get());
        ApiPath p = path.get();
        if (!access.allowed(caller.get(), p.namespace(), p.resource())) {
            LOG.debugf("HTTP API: %s may not get %s in %s", caller.get().username(), p.resource(), p.namespace());
            return deny(ApiException.forbidden(p.resource() + " is forbidden: User \"" + caller.get().username()
                    + "\" cannot get resource \"" + p.resource() + "\" in API group \"" + dev.sessionops.claude.api.v1alpha1.ClaudeSession.GROUP
                    + "\" in the namespace \"" + p.namespace() + "\""));
        }
        return Optional.empty();
    }

    private static Optional<Response> deny(ApiException e) {
        Response.ResponseBuilder r = Response.status(e.status()).type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE)
                .entity(e.toError());
        if (e.status() == 401) {
            r.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return Optional.of(r.build());
    }

    /** The namespace and the resource kind a request is about, read from its path. */
    record ApiPath(String namespace, String resource) {
        static final List<String> PREFIX = List.of("api", "v1", "namespaces");

        /** {@code /api/v1/namespaces/{ns}/sessions…} → (ns, claudesessions); {@code …/messages…} → claudemessages. */
        static Optional<ApiPath> parse(String path) {
            String[] parts = path.replaceAll("^/+", "").split("/");
            if (parts.length < 5 || !PREFIX.equals(List.of(parts[0], parts[1], parts[2])) || parts[3].isEmpty()) {
                return Optional.empty();
            }
            return switch (parts[4]) {
                case "sessions" -> Optional.of(new ApiPath(parts[3], "claudesessions"));
                case "messages" -> Optional.of(new ApiPath(parts[3], "claudemessages"));
                default -> Optional.empty();
            };
        }
    }
}
