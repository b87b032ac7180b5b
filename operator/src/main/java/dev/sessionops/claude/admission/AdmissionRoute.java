package dev.sessionops.claude.admission;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.OperatorConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Serves the validating admission webhook on the API port, ahead of the read API's front-proxy authentication
 * ({@code ApiGate}): the kube-apiserver calls webhooks over TLS without a client certificate, and the review carries
 * the user it is about. What an unauthenticated caller of this path learns is an allow or a refusal for a user and
 * objects it names itself (see SECURITY.md); nothing is created or changed. The review makes API calls
 * (SubjectAccessReviews, the message's session), so it runs off the event loop.
 */
@ApplicationScoped
public class AdmissionRoute {
    public static final String PATH = "/admission/v1/validate";
    /** Before {@code ApiGate}, which answers everything else on this port. */
    public static final int ORDER = Integer.MIN_VALUE;
    /** An AdmissionReview of an update carries the object twice; each is at most the API server's 3 MiB. */
    static final long MAX_BODY = 7L * 1024 * 1024;
    /**
     * Reviews at once on a replica: the path is open to whoever reaches the port and each body is buffered, so at most
     * this many times {@link #MAX_BODY} of heap; more get 429 before their body is read (the API server retries, or
     * refuses the create: failurePolicy Fail).
     */
    static final int MAX_IN_FLIGHT = 8;
    private static final Logger LOG = Logger.getLogger(AdmissionRoute.class);

    private final AdmissionReviewer reviewer;
    private final ObjectMapper json;
    private final boolean enabled;
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(MAX_IN_FLIGHT);

    public AdmissionRoute(AdmissionReviewer reviewer, ObjectMapper json, OperatorConfig config) {
        this.reviewer = reviewer;
        this.json = json;
        this.enabled = config.admission().enabled();
    }

    void install(@Observes Router router) {
        if (!enabled) {
            return;
        }
        router.post(PATH).order(ORDER).handler(this::admit);
        router.post(PATH).order(ORDER).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
        router.post(PATH).order(ORDER).blockingHandler(this::handle, false);
    }

    /** A slot among {@link #MAX_IN_FLIGHT}, given back when the answer is sent (or the connection goes). */
    void admit(RoutingContext ctx) {
        if (!inFlight.tryAcquire()) {
            ctx.response().putHeader("Retry-After", "1");
            answer(ctx, 429, "{\"message\":\"too many admission reviews at once\"}");
            return;
        }
        ctx.addEndHandler(done -> inFlight.release());
        ctx.next();
    }

    void handle(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            answer(ctx, 415, "{\"message\":\"an AdmissionReview is sent as application/json\"}");
            return;
        }
        try {
            JsonNode review = json.readTree(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            answer(ctx, 200, json.writeValueAsString(reviewer.review(review)));
        } catch (java.io.IOException | IllegalArgumentException e) {
            answer(ctx, 400, "{\"message\":\"not an admission.k8s.io/v1 AdmissionReview\"}");
        } catch (RuntimeException e) {
            // fail closed: the API server treats an error as a refusal (failurePolicy: Fail)
            LOG.warnf("admission: could not review: %s", e.toString());
            answer(ctx, 500, "{\"message\":\"the review could not be made\"}");
        }
    }

    private static void answer(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}
