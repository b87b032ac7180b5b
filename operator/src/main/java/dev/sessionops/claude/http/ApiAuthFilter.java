package dev.sessionops.claude.http;

import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.wire.ApiPaths;
import io.vertx.ext.web.RoutingContext;

/**
 * Authorizes every routed request of the API, after {@link ApiGate} authenticated it: the matched route's own path
 * parameters (never a re-parse of the path) must be a valid namespace and name (400), and the user must be allowed to
 * {@code get} the route's resource in that namespace ({@link AccessReviewer}, 403); a route without {@link Guarded}
 * is refused. Runs before any lookup, so the API never tells a caller what exists where they may not look.
 */
public class ApiAuthFilter {
    private static final Logger LOG = Logger.getLogger(ApiAuthFilter.class);

    private final AccessReviewer access;
    private final CurrentCaller current;

    public ApiAuthFilter(AccessReviewer access, CurrentCaller current) {
        this.access = access;
        this.current = current;
    }

    /** After matching: the route's parameters, then the SubjectAccessReview for its resource. */
    @ServerRequestFilter
    public Optional<Response> authorize(ContainerRequestContext request, ResourceInfo route, RoutingContext ctx) {
        Caller caller = ctx.get(ApiGate.CALLER);
        if (caller != null) {
            current.set(caller);
        }
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

    static Optional<Response> deny(ApiException e) {
        return Optional.of(Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(e.toError()).build());
    }
}
