package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.awaitPhase;
import static dev.sessionops.claude.e2e.Harness.message;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.events.EventStore;
import dev.sessionops.claude.local.ContainerRun;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Live events over Server-Sent Events, from runs of the real CLI: the follower appends the pod log's stream-json lines
 * to a Redis Stream per message, and every subscriber reads that stream from the start.
 */
@QuarkusTest
class EventStreamIT extends EndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    EventStore events;
    @Inject
    EventFollower follower;
    ApiClient api;

    @BeforeEach
    void api() throws Exception {
        ApiUsers.install(server);
        api = new ApiClient(root.toURI());
    }

    @Test
    void subscribersMidRunGetEveryEventFromTheStartInOrderUntilTheResult() throws Exception {
        String ns = Harness.namespace(client, "live");
        String token = userFor(ns);
        // the fake API holds its reply 3 s: the run is under way (its init event written) when we subscribe
        ClaudeMessage created = message(client, ns, "live", null, "[[sleep 3000]] Stream this " + ns);
        String key = EventFollower.keyOf(created);
        await().atMost(Harness.RUN_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> xlen(key) > 0);
        assertEquals(MessagePhase.Running, Harness.get(client, ns, "live").getStatus().getPhase(), "still running");
        String path = dev.sessionops.claude.http.ApiPaths.BASE + "/namespaces/" + ns + "/messages/live/events";
        CompletableFuture<SseClient.Received> first = SseClient.subscribe(api.uri(path), token, null);
        CompletableFuture<SseClient.Received> second = SseClient.subscribe(api.uri(path), token, null);
        SseClient.Received a = first.get(90, TimeUnit.SECONDS);
        SseClient.Received b = second.get(90, TimeUnit.SECONDS);
        ClaudeMessage done = awaitPhase(client, ns, "live", MessagePhase.Succeeded);

        assertEquals(200, a.status(), a.raw());
        assertTrue(a.contentType().startsWith("text/event-stream"), a.contentType());
        assertTrue(a.ended(), "the server ended the stream");

        // every stream-json line of the run's pod log, in order, and nothing else
        ContainerRun run = kubelet.runs(ns, done.getStatus().getJobName()).stream().filter(r -> !r.isInitContainer())
                .findFirst().orElseThrow();
        List<String> logLines = run.log().lines().filter(l -> l.startsWith("{") && type(l) != null).toList();
        assertTrue(logLines.size() >= 3, "init, assistant, result at least: " + logLines);
        assertEquals(logLines, a.events().stream().map(SseClient.Event::data).toList());
        assertEquals(logLines.stream().map(EventStreamIT::type).toList(), a.events().stream().map(SseClient.Event::event).toList());
        assertEquals("system", a.events().get(0).event());
        assertEquals("result", a.events().get(a.events().size() - 1).event(), "the stream ends with the result");
        assertEquals(done.getStatus().getSessionId(), JSON.readTree(a.events().get(0).data()).get("session_id").asText());
        for (int i = 1; i < a.events().size(); i++) {
            assertTrue(compareIds(a.events().get(i - 1).id(), a.events().get(i).id()) < 0, "ids increase: " + a.events());
        }
        // live: the first event came well before the result (the fake API waited 3 s in between)
        Instant firstAt = a.events().get(0).receivedAt();
        Instant resultAt = a.events().get(a.events().size() - 1).receivedAt();
        assertTrue(Duration.between(firstAt, resultAt).toMillis() > 1000, firstAt + " .. " + resultAt);

        // both subscribers saw the same sequence
        assertEquals(a.events().stream().map(e -> List.of(e.id(), e.event(), e.data())).toList(),
                b.events().stream().map(e -> List.of(e.id(), e.event(), e.data())).toList());

        // the framing: id, event, data, blank line
        SseClient.Event e0 = a.events().get(0);
        assertTrue(a.raw().contains("id:" + e0.id() + "\nevent:system\ndata:" + e0.data() + "\n\n"), a.raw());
        assertFalse(a.raw().contains(Harness.API_KEY), "no credential in events");

        // Last-Event-ID resumes after that event
        String after = a.events().get(1).id();
        SseClient.Received resumed = SseClient.subscribe(api.uri(path), token, after).get(30, TimeUnit.SECONDS);
        assertEquals(a.events().subList(2, a.events().size()).stream().map(SseClient.Event::id).toList(),
                resumed.events().stream().map(SseClient.Event::id).toList());
        assertTrue(resumed.ended());
        assertEquals(400, SseClient.subscribe(api.uri(path), token, "not-an-id").get(30, TimeUnit.SECONDS).status());

        // the stream expires after the run: TTL set, at most the configured hour
        long ttl = redis.execute("TTL", key).toLong();
        assertTrue(ttl > 0 && ttl <= events.ttlAfterFinished().toSeconds(), "TTL " + ttl);

        // reading the log again (a restarted follower, a replayed completion) appends nothing twice
        long length = xlen(key);
        follower.runEnded(done, run.log());
        follower.follow(done, done.getStatus().getJobName());
        Thread.sleep(1000);
        assertEquals(length, xlen(key));
        assertFalse(events.append(key, 1, "system", "{\"type\":\"system\"}"));
        assertEquals(length, xlen(key));
    }

    @Test
    void aSubscriberBeforeTheRunWaitsForItsEvents() throws Exception {
        String ns = Harness.namespace(client, "early");
        String token = userFor(ns);
        Harness.session(client, ns, "later", s -> s.setSuspend(true));
        message(client, ns, "later-01", "later", "Wait for it " + ns);
        Harness.awaitReason(client, ns, "later-01", "SessionSuspended");
        CompletableFuture<SseClient.Received> sub = SseClient.subscribe(
                api.uri(dev.sessionops.claude.http.ApiPaths.BASE + "/namespaces/" + ns + "/messages/later-01/events"), token, null);
        Thread.sleep(1500);
        assertFalse(sub.isDone(), "the subscriber waits while the message is queued");
        Instant resumedAt = Instant.now();
        client.resources(ClaudeSession.class).inNamespace(ns).withName("later").edit(s -> {
            s.getSpec().setSuspend(false);
            return s;
        });
        SseClient.Received r = sub.get(90, TimeUnit.SECONDS);
        assertTrue(r.ended());
        assertEquals("system", r.events().get(0).event());
        assertEquals("result", r.events().get(r.events().size() - 1).event());
        assertTrue(r.events().get(0).receivedAt().isAfter(resumedAt));
        assertFalse(r.comments().isEmpty(), "a comment opened the stream");
    }

    @Test
    void theStreamIsBoundedAndAFinishedMessageWithoutEventsEndsWithItsStatus() throws Exception {
        String ns = Harness.namespace(client, "bounded");
        String token = userFor(ns);
        // one entry per stream node makes MAXLEN ~ exact, so the bound can be seen on a short run
        var config = redis.execute("CONFIG", "GET", "stream-node-max-entries");
        String nodeEntries = (config.getKeys().isEmpty() ? config.get(1) : config.get("stream-node-max-entries")).toString();
        long maxLength = events.maxLength();
        redis.execute("CONFIG", "SET", "stream-node-max-entries", "1");
        events.setMaxLength(2);
        ClaudeMessage done;
        try {
            message(client, ns, "short", null, "Keep it short " + ns);
            done = awaitPhase(client, ns, "short", MessagePhase.Succeeded);
        } finally {
            events.setMaxLength(maxLength);
            redis.execute("CONFIG", "SET", "stream-node-max-entries", nodeEntries);
        }
        String key = EventFollower.keyOf(done);
        ContainerRun run = kubelet.runs(ns, done.getStatus().getJobName()).get(0);
        long lines = run.log().lines().filter(l -> type(l) != null).count();
        assertTrue(lines > 2, "the run wrote more events than the bound: " + lines);
        assertEquals(2, xlen(key), "trimmed to cso.events.max-length");

        String path = dev.sessionops.claude.http.ApiPaths.BASE + "/namespaces/" + ns + "/messages/short/events";
        SseClient.Received tail = SseClient.subscribe(api.uri(path), token, null).get(30, TimeUnit.SECONDS);
        assertEquals(2, tail.events().size(), tail.raw());
        assertEquals("result", tail.events().get(1).event());

        // expired (deleted here): one status event, then the end
        redis.execute("DEL", key);
        SseClient.Received status = SseClient.subscribe(api.uri(path), token, null).get(30, TimeUnit.SECONDS);
        assertTrue(status.ended());
        assertEquals(1, status.events().size(), status.raw());
        assertEquals("status", status.events().get(0).event());
        JsonNode body = JSON.readTree(status.events().get(0).data());
        assertEquals("Succeeded", body.get("phase").asText());
        assertEquals(done.getStatus().getResult(), body.get("result").asText());
    }

    private String userFor(String ns) {
        String user = "viewer-" + ns;
        ApiUsers.grant(user, ns);
        return ApiUsers.token(user);
    }

    private long xlen(String key) {
        return redis.execute("XLEN", key).toLong();
    }

    static String type(String line) {
        try {
            JsonNode type = JSON.readTree(line).get("type");
            return type == null ? null : type.asText();
        } catch (Exception e) {
            return null;
        }
    }

    static int compareIds(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return c != 0 ? c : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }
}
