package dev.sessionops.claude.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The embedded API's door: every request needs the local bearer token and a loopback Host (401 otherwise, before
 * anything else sees the request); and, as a cluster's API server would, it answers the SubjectAccessReviews the
 * operator asks: allowed only for the local user, the one identity the front asserts. Installed as the mock server's outermost dispatcher before it listens; what wraps the dispatcher
 * later ({@link Discovery}, {@link PodLogs}) goes inside it through {@link #wrap}.
 */
final class EmbeddedApiGuard extends Dispatcher {
    static final String SUBJECT_ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    static final String AUTHENTICATED = "system:authenticated";

    private final LocalToken token;
    private final String user;
    private volatile Dispatcher inner;

    private EmbeddedApiGuard(LocalToken token, String user, Dispatcher inner) {
        this.token = token;
        this.user = user;
        this.inner = inner;
    }

    /** Puts the guard in front of the server's dispatcher; call before the server listens. */
    static void install(KubernetesMockServer server, LocalToken token, String user) {
        MockWebServer web = webServer(server);
        web.setDispatcher(new EmbeddedApiGuard(token, user, dispatcher(web)));
    }

    /** Wraps the server's dispatcher, inside the guard when there is one. */
    static void wrap(KubernetesMockServer server, UnaryOperator<Dispatcher> wrapper) {
        MockWebServer web = webServer(server);
        synchronized (web) {
            Dispatcher current = dispatcher(web);
            if (current instanceof EmbeddedApiGuard guard) {
                guard.inner = wrapper.apply(guard.inner);
            } else {
                web.setDispatcher(wrapper.apply(current));
            }
        }
    }

    private static MockWebServer webServer(KubernetesMockServer server) {
        return (MockWebServer) PodLogs.readField(DefaultMockServer.class, server, "server");
    }

    private static Dispatcher dispatcher(MockWebServer web) {
        return (Dispatcher) PodLogs.readField(MockWebServer.class, web, "dispatcher");
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if (!ApiFront.isLoopbackHost(single(headers(request, "Host")))) {
            return unauthorized("the Host header must name this machine's loopback address");
        }
        List<String> authorization = headers(request, "Authorization");
        if (authorization.size() != 1 || !token.matches(LocalToken.bearer(authorization.get(0)))) {
            return unauthorized("a valid bearer token is required");
        }
        String path = request.getPath();
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        if ("POST".equals(request.getMethod()) && SUBJECT_ACCESS_REVIEWS.equals(path)) {
            return subjectAccessReview(request);
        }
        return inner.dispatch(request);
    }

    @Override
    public void shutdown() {
        inner.shutdown();
    }

    /** Allowed only for the local user: the only identity the front ever asserts. */
    private MockResponse subjectAccessReview(RecordedRequest request) {
        SubjectAccessReview review;
        try {
            review = Serialization.unmarshal(request.getUtf8Body(), SubjectAccessReview.class);
        } catch (RuntimeException e) {
            return json(400, ApiFront.status(400, "BadRequest", "not a SubjectAccessReview"));
        }
        if (review == null || review.getSpec() == null) {
            return json(400, ApiFront.status(400, "BadRequest", "a SubjectAccessReview needs a spec"));
        }
        boolean allowed = user.equals(review.getSpec().getUser());
        review.setStatus(new SubjectAccessReviewStatusBuilder().withAllowed(allowed)
                .withReason(allowed ? "local mode: the local user may do anything" : "local mode: only the local user is known")
                .build());
        return json(201, Serialization.asJson(review));
    }

    private static MockResponse unauthorized(String why) {
        return json(401, ApiFront.status(401, "Unauthorized", "Unauthorized: " + why));
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
    }

    private static List<String> headers(RecordedRequest request, String name) {
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : request.getHeaders().toMultimap().entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                values.addAll(e.getValue());
            }
        }
        return values;
    }

    private static String single(List<String> values) {
        return values.size() == 1 ? values.get(0) : null;
    }
}
