package dev.sessionops.claude.gateway;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

/**
 * The gateway's HTTP server: checks a request ({@link GatewayRequest}), verifies its token ({@link TokenSigner}) and
 * that the path names the token's message, lets the {@link Gatekeeper} decide on a worker thread, then forwards it
 * with the real key in place of the token and relays the answer as it comes (an event stream chunk by chunk, with
 * backpressure), reading its usage on the way ({@link UsageMeter}) and recording it ({@link UsageRecorder}) before
 * the last byte reaches the run, so the operator finds the figure when the run has ended. Plain HTTP: see SECURITY.md.
 * Logs name the message and the status, never a header.
 */
public final class GatewayProxy implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GatewayProxy.class);
    /** As long as the CLI's own request timeout (x-stainless-timeout: 600). */
    static final Duration UPSTREAM_IDLE = Duration.ofMinutes(10);
    /** What a refused request may still send of its body, and for how long, before the connection is cut. */
    static final long DRAIN_LIMIT = 4L * 1024 * 1024;
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    /** Where the proxy listens and what it forwards. */
    public record Settings(String host, int port, String upstream, long maxBodyBytes) {
    }

    private final Vertx vertx;
    private final Settings settings;
    private final Upstream upstream;
    private final TokenSigner signer;
    private final Gatekeeper gatekeeper;
    private final UsageRecorder recorder;
    private final Clock clock;
    private HttpServer server;
    private HttpClient client;

    public GatewayProxy(Vertx vertx, Settings settings, TokenSigner signer, Gatekeeper gatekeeper, UsageRecorder recorder,
            Clock clock) {
        this.vertx = vertx;
        this.settings = settings;
        this.upstream = Upstream.of(settings.upstream());
        this.signer = signer;
        this.gatekeeper = gatekeeper;
        this.recorder = recorder;
        this.clock = clock;
    }

    /** Listens; returns once the port is bound (or fails). */
    public GatewayProxy start() {
        client = vertx.createHttpClient(new HttpClientOptions().setSsl(upstream.ssl()).setVerifyHost(true)
                .setConnectTimeout(10_000).setKeepAlive(true).setMaxPoolSize(200));
        server = vertx.createHttpServer(new HttpServerOptions().setHost(settings.host()).setPort(settings.port())
                .setHttp2ClearTextEnabled(false) // HTTP/1.1 only, as the CLI speaks it
                .setMaxInitialLineLength(GatewayRequest.MAX_URI + 64).setMaxHeaderSize(32 * 1024)
                .setIdleTimeout((int) UPSTREAM_IDLE.toSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS));
        server.requestHandler(this::handle);
        await(server.listen());
        LOG.infof("credential gateway listening on %s:%d, forwarding to %s://%s:%d%s", settings.host(), port(),
                upstream.ssl() ? "https" : "http", upstream.host(), upstream.port(), upstream.basePath());
        return this;
    }

    /** The bound port (the configured one, or the one picked for port 0). */
    public int port() {
        return server.actualPort();
    }

    @Override
    public void close() {
        if (server != null) {
            await(server.close());
        }
        if (client != null) {
            await(client.close());
        }
    }

    private void handle(HttpServerRequest request) {
        request.pause(); // nothing of the body is read until the request is admitted
        GatewayRequest.Check check = GatewayRequest.check(request.method().name(), request.uri(),
                name -> request.headers().getAll(name), settings.maxBodyBytes());
        if (check.refusal() != null) {
            refuse(request, null, check.refusal());
            return;
        }
        GatewayRequest.Accepted accepted = check.accepted();
        TokenSigner.Verification token = signer.verify(accepted.token(), clock.instant());
        if (!token.valid()) {
            refuse(request, accepted, Refusal.unauthenticated(token.problem()));
            return;
        }
        if (!token.claims().isFor(accepted.namespace(), accepted.messageName())) {
            refuse(request, accepted, Refusal.forbidden("the token is not for message " + accepted.namespace() + "/"
                    + accepted.messageName()));
            return;
        }
        vertx.executeBlocking(() -> gatekeeper.admit(token.claims()), false).onComplete(decided -> {
            if (decided.failed()) {
                LOG.warnf("gateway: admitting a request of %s/%s failed: %s", accepted.namespace(), accepted.messageName(),
                        decided.cause().toString());
                refuse(request, accepted, Refusal.unavailable("cannot check the run right now; try again"));
            } else if (decided.result().refusal() != null) {
                refuse(request, accepted, decided.result().refusal());
            } else {
                forward(request, accepted, token.claims(), decided.result().apiKey());
            }
        });
    }

    private void forward(HttpServerRequest request, GatewayRequest.Accepted accepted, TokenClaims claims, String apiKey) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(upstream.host())
                .setPort(upstream.port()).setSsl(upstream.ssl()).setURI(upstream.basePath() + accepted.upstreamUri())
                .setIdleTimeout(UPSTREAM_IDLE.toMillis());
        client.request(options).onComplete(opened -> {
            if (opened.failed()) {
                upstreamFailed(request, accepted, opened.cause());
                return;
            }
            HttpClientRequest upstreamRequest = opened.result();
            for (Map.Entry<String, String> h : request.headers()) {
                if (GatewayRequest.forwarded(h.getKey())) {
                    upstreamRequest.headers().add(h.getKey(), h.getValue());
                }
            }
            upstreamRequest.putHeader("x-api-key", apiKey);
            upstreamRequest.putHeader("content-length", Long.toString(accepted.contentLength()));
            upstreamRequest.putHeader("accept-encoding", "identity"); // the usage is read from the plain bytes
            upstreamRequest.response().onComplete(answered -> {
                if (answered.failed()) {
                    upstreamFailed(request, accepted, answered.cause());
                } else {
                    relay(request, upstreamRequest, answered.result(), claims);
                }
            });
            request.response().closeHandler(v -> upstreamRequest.reset()); // the run went away: so does the call
            request.pipeTo(upstreamRequest).onFailure(e -> upstreamRequest.reset());
        });
    }

    private void relay(HttpServerRequest request, HttpClientRequest upstreamRequest, HttpClientResponse answer,
            TokenClaims claims) {
        HttpServerResponse response = request.response();
        response.setStatusCode(answer.statusCode());
        for (Map.Entry<String, String> h : answer.headers()) {
            if (GatewayRequest.returned(h.getKey())) {
                response.headers().add(h.getKey(), h.getValue());
            }
        }
        UsageMeter meter = answer.statusCode() / 100 == 2 ? UsageMeter.forContentType(answer.getHeader("content-type")) : null;
        String length = answer.getHeader("content-length");
        if (length != null && meter == null) {
            response.putHeader("content-length", length);
        } else {
            // a metered answer ends with its last chunk, sent once the usage is recorded: with a Content-Length the
            // run would take the answer as complete at its last byte, before the record
            response.setChunked(true);
        }
        AtomicBoolean recorded = new AtomicBoolean();
        answer.handler(chunk -> {
            if (meter != null) {
                meter.feed(chunk.getBytes());
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                answer.pause();
                response.drainHandler(v -> answer.resume());
            }
        });
        answer.exceptionHandler(e -> {
            record(claims, meter, recorded);
            response.reset();
        });
        response.closeHandler(v -> {
            upstreamRequest.reset();
            record(claims, meter, recorded);
        });
        answer.endHandler(v -> record(claims, meter, recorded).onComplete(done -> response.end()));
    }

    /** Once per response; the answer's end waits for it (a failure to record is logged, the answer still ends). */
    private Future<Void> record(TokenClaims claims, UsageMeter meter, AtomicBoolean recorded) {
        if (meter == null || !recorded.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        if (meter.overflowed()) {
            LOG.warnf("gateway: a response for %s/%s was too large to meter", claims.namespace(), claims.messageName());
        }
        ResponseUsage usage = meter.usage();
        if (!usage.reported()) {
            return Future.succeededFuture();
        }
        return vertx.<Void>executeBlocking(() -> {
            recorder.record(claims, usage);
            return null;
        }, false).recover(e -> {
            LOG.warnf("gateway: could not record the usage of %s/%s: %s", claims.namespace(), claims.messageName(), e.toString());
            return Future.succeededFuture();
        });
    }

    private void upstreamFailed(HttpServerRequest request, GatewayRequest.Accepted accepted, Throwable cause) {
        LOG.warnf("gateway: the upstream failed for %s/%s: %s", accepted.namespace(), accepted.messageName(), cause.toString());
        if (!request.response().headWritten()) {
            refuse(request, accepted, new Refusal(502, "api_error", "the model API could not be reached", true));
        } else {
            request.response().reset();
        }
    }

    /** The error answer; the unread body is not wanted, so the connection closes after it. */
    /**
     * Answers with the refusal, then reads (and drops) what the run still sends of its body before closing: closed
     * at once, a client still writing gets a broken pipe instead of the answer. At most {@link #DRAIN_LIMIT} bytes
     * and {@link #DRAIN_TIMEOUT}: a client sending more is cut off.
     */
    private void refuse(HttpServerRequest request, GatewayRequest.Accepted accepted, Refusal refusal) {
        if (refusal.status() != 503 && refusal.status() != 502) {
            LOG.infof("gateway: %d for %s %s", refusal.status(), accepted == null ? "a request to" : accepted.namespace()
                    + "/" + accepted.messageName(), accepted == null ? "an unknown route" : accepted.apiPath());
        }
        HttpServerResponse response = request.response();
        if (response.ended()) {
            return;
        }
        response.setStatusCode(refusal.status()).putHeader("content-type", "application/json")
                .putHeader("connection", "close");
        if (!refusal.retry()) {
            response.putHeader("x-should-retry", "false");
        }
        response.end(Buffer.buffer(refusal.body())).onComplete(v -> {
            if (request.isEnded()) {
                request.connection().close();
                return;
            }
            long[] drained = { 0 };
            long timer = vertx.setTimer(DRAIN_TIMEOUT.toMillis(), t -> request.connection().close());
            request.handler(chunk -> {
                drained[0] += chunk.length();
                if (drained[0] > DRAIN_LIMIT) {
                    vertx.cancelTimer(timer);
                    request.connection().close();
                }
            });
            request.endHandler(end -> {
                vertx.cancelTimer(timer);
                request.connection().close();
            });
            request.resume();
        });
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("credential gateway: " + e.getMessage(), e);
        }
    }
}
