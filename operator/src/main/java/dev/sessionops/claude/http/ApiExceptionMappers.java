package dev.sessionops.claude.http;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.sessionops.claude.history.HistoryStoreUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Errors as {@link ApiError} JSON, whatever went wrong. */
public class ApiExceptionMappers {
    private static final Logger LOG = Logger.getLogger(ApiExceptionMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        if (e.retryAfterSeconds() == null) {
            return respond(e.toError());
        }
        return Response.fromResponse(respond(e.toError())).header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds()).build();
    }

    @ServerExceptionMapper
    public Response historyStore(HistoryStoreUnavailableException e) {
        return respond(ApiError.of(503, "ServiceUnavailable", "the history store (Redis) is unavailable", null));
    }

    @ServerExceptionMapper
    public Response kubernetes(KubernetesClientException e) {
        LOG.warnf("HTTP API: Kubernetes API call failed: %s", e.getMessage());
        return respond(ApiError.of(502, "BadGateway", "the Kubernetes API call failed: HTTP " + e.getCode(), null));
    }

    /** Anything unexpected: logged here, never shown (a message or trace could carry another namespace's data). */
    @ServerExceptionMapper
    public Response unexpected(IllegalStateException e) {
        LOG.errorf(e, "HTTP API: request failed");
        return respond(ApiError.of(500, "InternalError", "an internal error occurred", null));
    }

    static Response respond(ApiError error) {
        return Response.status(error.code()).type(MediaType.APPLICATION_JSON_TYPE).entity(error).build();
    }
}
