package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.awaitPhase;
import static dev.sessionops.claude.e2e.Harness.message;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.ToLongFunction;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import dev.sessionops.claude.testing.PrometheusScrape;
import dev.sessionops.claude.testing.RedisTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code /q/metrics} after messages ran through the real CLI, and {@code /q/health} through a Redis outage. Each test
 * works in its own namespace, so the namespace-tagged counters of other tests (which share this operator) do not
 * disturb exact values; the operator-wide duration histogram is compared before and after, with no other run in flight.
 */
@QuarkusTest
class MetricsAndHealthIT extends EndToEndTest {
    // Prometheus names of OperatorMetrics' meters
    static final String MESSAGES = "cso_messages";
    static final String COMPLETED = "cso_messages_completed_total";
    static final String DURATION_COUNT = "cso_message_duration_seconds_count";
    static final String DURATION_SUM = "cso_message_duration_seconds_sum";
    static final String DURATION_BUCKET = "cso_message_duration_seconds_bucket";
    static final String QUEUE = "cso_session_queue_length";
    static final String COST = "cso_cost_usd_total";
    static final String TOKENS = "cso_tokens_total";
    static final String HISTORY_ERRORS = "cso_history_store_errors_total";
    static final String REDIS_CHECK = "Redis connection health check";
    static final String OPERATOR_CHECK = "Quarkus Operator SDK health check";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/metrics", management = true)
    URL metricsUrl;
    @TestHTTPResource(value = "/health/ready", management = true)
    URL readyUrl;
    @TestHTTPResource(value = "/health/live", management = true)
    URL liveUrl;

    @Test
    void metricsCountEachFinishedRunOnceWithItsCostTokensDurationAndQueue() {
        String ns = Harness.namespace(client, "metrics");
        Harness.session(client, ns, "calc", s -> s.setSuspend(true));
        message(client, ns, "calc-01", "calc", "What is two plus two?");
        message(client, ns, "calc-02", "calc", "[[error 400 Fake failure for metrics]]");

        // both wait behind the suspended session
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertEquals(OptionalDouble.of(2), scrape().value(QUEUE, "namespace", ns, "session", "calc")));
        assertMessagesByPhaseMatchTheApiServer();
        await().atMost(Harness.RUN_TIMEOUT).untilAsserted(() ->
                assertEquals(OptionalDouble.of(0), scrape().value(MESSAGES, "phase", "Running"), "no other test's run in flight"));
        PrometheusScrape before = scrape();

        Harness.suspend(client, ns, "calc", false);
        ClaudeMessage ok = awaitPhase(client, ns, "calc-01", MessagePhase.Succeeded);
        ClaudeMessage failed = awaitPhase(client, ns, "calc-02", MessagePhase.Failed);
        String failReason = Harness.reason(failed);
        assertEquals("CliError", failReason);
        List<ClaudeMessage> done = List.of(ok, failed);
        double cost = done.stream().mapToDouble(m -> m.getStatus().getCostUsd() == null ? 0 : m.getStatus().getCostUsd()).sum();
        assertTrue(cost > 0, "the fake API reports usage, so the runs cost something");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertEquals(cost, Harness.getSession(client, ns, "calc").getStatus().getTotalCostUsd(), 1e-9));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertEquals(OptionalDouble.of(0), scrape().value(QUEUE, "namespace", ns, "session", "calc")));
        PrometheusScrape after = scrape();
        assertRunsCounted(before, after, ns, ok, failed, failReason);

        // a replayed completion (its status write lost, the finished Job seen again) counts nothing a second time
        client.resources(ClaudeMessage.class).inNamespace(ns).withName("calc-01").editStatus(m -> {
            m.getStatus().setPhase(MessagePhase.Running);
            return m;
        });
        client.batch().v1().jobs().inNamespace(ns).withName(ok.getStatus().getJobName()).edit(j -> {
            j.getMetadata().getLabels().put("touched", "yes");
            return j;
        });
        awaitPhase(client, ns, "calc-01", MessagePhase.Succeeded);
        assertRunsCounted(before, scrape(), ns, ok, failed, failReason);
        assertMessagesByPhaseMatchTheApiServer();

        // the operator SDK's own metrics are there too
        for (String controller : List.of("claudemessage", "claudesession")) {
            assertTrue(after.valueOrZero("reconciliations_started_total", "controller_name", controller) > 0, controller);
            assertTrue(after.value("custom_resources", "controller_name", controller).isPresent(), controller);
        }
        assertTrue(after.valueOrZero("reconciliations_execution_duration_seconds_count", "controller_name", "claudemessage") > 0);

        // deleting the session removes its queue series
        client.resources(ClaudeSession.class).inNamespace(ns).withName("calc").delete();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertEquals(List.of(), scrape().find(QUEUE, "namespace", ns)));
    }

    /** Exactly the two runs, each once, with the figures their statuses report. */
    private static void assertRunsCounted(PrometheusScrape before, PrometheusScrape scrape, String ns, ClaudeMessage ok,
            ClaudeMessage failed, String failReason) {
        assertEquals(OptionalDouble.of(1), scrape.value(COMPLETED, "namespace", ns, "phase", "Succeeded", "reason", "Succeeded"));
        assertEquals(OptionalDouble.of(1), scrape.value(COMPLETED, "namespace", ns, "phase", "Failed", "reason", failReason));
        assertEquals(2, scrape.find(COMPLETED, "namespace", ns).stream().mapToDouble(s -> s.value()).sum());

        for (ClaudeMessage m : List.of(ok, failed)) {
            String outcome = m.getStatus().getPhase().name();
            assertNotNull(m.getStatus().getDurationMs(), m.getMetadata().getName() + " durationMs");
            assertEquals(1, delta(before, scrape, DURATION_COUNT, "outcome", outcome), outcome);
            assertEquals(m.getStatus().getDurationMs() / 1000.0, delta(before, scrape, DURATION_SUM, "outcome", outcome), 1e-6);
            assertEquals(1, delta(before, scrape, DURATION_BUCKET, "outcome", outcome, "le", "+Inf"), outcome);
        }

        double cost = ok.getStatus().getCostUsd() + failed.getStatus().getCostUsd();
        assertEquals(cost, scrape.value(COST, "namespace", ns).orElseThrow(), 1e-9);
        Map<String, ToLongFunction<Usage>> types = Map.of("input", Usage::getInputTokens, "output", Usage::getOutputTokens,
                "cache_read", Usage::getCacheReadInputTokens, "cache_creation", Usage::getCacheCreationInputTokens);
        types.forEach((type, field) -> {
            long expected = field.applyAsLong(ok.getStatus().getUsage()) + field.applyAsLong(failed.getStatus().getUsage());
            assertTrue(expected > 0, type + " tokens reported by the fake API");
            assertEquals(expected, scrape.value(TOKENS, "namespace", ns, "type", type).orElseThrow(), 1e-9, type);
        });
    }

    private static double delta(PrometheusScrape before, PrometheusScrape after, String name, String... labels) {
        return after.valueOrZero(name, labels) - before.valueOrZero(name, labels);
    }

    /** cso_messages{phase} counts what the API server holds (a message without a phase as Pending). */
    private void assertMessagesByPhaseMatchTheApiServer() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<MessagePhase, Long> expected = new EnumMap<>(MessagePhase.class);
            for (MessagePhase p : MessagePhase.values()) {
                expected.put(p, 0L);
            }
            for (ClaudeMessage m : client.resources(ClaudeMessage.class).inAnyNamespace().list().getItems()) {
                MessagePhase p = m.getStatus() == null || m.getStatus().getPhase() == null ? MessagePhase.Pending
                        : m.getStatus().getPhase();
                expected.merge(p, 1L, Long::sum);
            }
            PrometheusScrape scrape = scrape();
            for (MessagePhase p : MessagePhase.values()) {
                assertEquals(OptionalDouble.of(expected.get(p)), scrape.value(MESSAGES, "phase", p.name()), p.name());
            }
        });
    }

    @Test
    void readinessFollowsRedisAndTheInformersWhileLivenessIgnoresRedis() {
        JsonNode ready = awaitHealth(readyUrl, 200);
        assertEquals("UP", checkStatus(ready, OPERATOR_CHECK));
        assertEquals("UP", checkStatus(ready, REDIS_CHECK));
        assertEquals("UP", awaitHealth(liveUrl, 200).path("status").asText());
        double errorsBefore = scrape().valueOrZero(HISTORY_ERRORS, "operation", "summary");

        RedisTestResource.redis().stop();
        try {
            JsonNode down = awaitHealth(readyUrl, 503);
            assertEquals("DOWN", down.path("status").asText());
            assertEquals("DOWN", checkStatus(down, REDIS_CHECK));
            assertEquals("UP", checkStatus(down, OPERATOR_CHECK), "the informers do not need Redis");
            JsonNode live = health(liveUrl, 200);
            assertEquals("UP", live.path("status").asText(), "a Redis outage must not restart the operator: " + live);

            // a session created now cannot read its summary; the failed call is counted as the summary's, though
            // for a conversation this process has not touched yet its first step (renaming older keys) is what fails
            String ns = Harness.namespace(client, "health");
            Harness.session(client, ns, "offline", s -> {
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertTrue(scrape().valueOrZero(HISTORY_ERRORS, "operation", "summary") > errorsBefore));
        } finally {
            RedisTestResource.redis().start();
        }
        JsonNode back = awaitHealth(readyUrl, 200);
        assertEquals("UP", checkStatus(back, REDIS_CHECK));
    }

    private PrometheusScrape scrape() {
        HttpResponse<String> response = get(metricsUrl);
        assertEquals(200, response.statusCode(), response.body());
        return PrometheusScrape.parse(response.body());
    }

    /** Polls a health endpoint until it answers with this HTTP status; returns its JSON. */
    private static JsonNode awaitHealth(URL url, int code) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> get(url).statusCode() == code);
        return health(url, code);
    }

    private static JsonNode health(URL url, int code) {
        HttpResponse<String> response = get(url);
        assertEquals(code, response.statusCode(), response.body());
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** The status of the named check, or "absent". */
    private static String checkStatus(JsonNode health, String name) {
        for (JsonNode check : health.path("checks")) {
            if (name.equals(check.path("name").asText())) {
                return check.path("status").asText();
            }
        }
        return "absent: " + health;
    }

    private static HttpResponse<String> get(URL url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
