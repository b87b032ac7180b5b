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
        return respond(new ApiError(503, "ServiceUnavailable", "the history store (Redis) is unavailable: " + e.getMessage()));
    }

    @ServerExceptionMapper
    public Response kubernetes(KubernetesClientException e) {
        LOG.warnf("HTTP API: Kubernetes API call failed: %s", e.getMessage());
        return respond(new ApiError(502, "BadGateway", "the Kubernetes API call failed: HTTP " + e.getCode()));
    }

    static Response respond(ApiError error) {
        return Response.status(error.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(error).build();
    }
}
