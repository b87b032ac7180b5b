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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.wire.ApiPaths;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.events.RunLog;
import dev.sessionops.claude.events.EventStore;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.http.EventStreamer;
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
    @Inject
    EventStreamer streamer;
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
        String path = dev.sessionops.claude.api.wire.ApiPaths.BASE + "/namespaces/" + ns + "/messages/live/log";
        CompletableFuture<SseClient.Received> first = SseClient.subscribe(api.uri(path), token, null);
        // the second joins once the message's feed has read events: it gets them from its backlog, then live
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> streamer.feed(key).map(f -> f.head() != null).orElse(false));
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

        // both subscribers saw the same sequence, complete
        assertTrue(b.ended());
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
        RunLog.Reader reread = RunLog.reader();
        reread.accept(run.log().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        follower.runEnded(done, reread.finish());
        follower.follow(done, new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder().withNewMetadata()
                .withName(done.getStatus().getJobName()).withNamespace(ns).endMetadata().build());
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
                api.uri(dev.sessionops.claude.api.wire.ApiPaths.BASE + "/namespaces/" + ns + "/messages/later-01/log"), token, null);
        Thread.sleep(1500);
        assertFalse(sub.isDone(), "the subscriber waits while the message is queued");
        Instant resumedAt = Instant.now();
        Harness.suspend(client, ns, "later", false);
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

        String path = dev.sessionops.claude.api.wire.ApiPaths.BASE + "/namespaces/" + ns + "/messages/short/log";
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

    @Test
    void aUserHasAtMostTenStreamsAndOneThatLeavesGivesItsSlotBack() throws Exception {
        String ns = Harness.namespace(client, "capped");
        String user = "viewer-" + ns;
        String token = userFor(ns);
        String path = heldMessage(ns).path();
        List<SseClient.Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                open.add(SseClient.Connection.open(api.uri(path), token));
                assertEquals(200, open.get(i).status());
            }
            assertEquals(10, streamer.streams(user));

            SseClient.Received refused = SseClient.subscribe(api.uri(path), token, null).get(30, TimeUnit.SECONDS);
            HttpApiIT.assertError(new ApiClient.Reply(refused.status(), JSON.readTree(refused.raw()), refused.raw()), 429,
                    "TooManyRequests", "user \"" + user + "\" has 10 event streams open");
            assertTrue(refused.raw().contains("cso.api.events.max-streams-per-user"), refused.raw());
            assertEquals("10", refused.header("Retry-After"));
            assertEquals(10, streamer.streams(user), "a refused stream takes no slot");

            // the limit is per user
            String other = "other-" + ns;
            ApiUsers.grant(other, ns);
            try (SseClient.Connection theirs = SseClient.Connection.open(api.uri(path), ApiUsers.token(other))) {
                assertEquals(200, theirs.status());
            }

            // a client that leaves gives its slot back, and it can be taken again
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(10)).until(() -> streamer.streams(user) == 9);
            open.add(SseClient.Connection.open(api.uri(path), token));
            assertEquals(200, open.get(9).status());
            assertEquals(10, streamer.streams(user));
        } finally {
            open.forEach(SseClient.Connection::close);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> streamer.streams(user) == 0 && streamer.streams("other-" + ns) == 0);
    }

    @Test
    void aMessagesFeedReadsRedisOnceATickWhateverItsSubscribers() throws Exception {
        String ns = Harness.namespace(client, "fanout");
        String token = userFor(ns);
        Held held = heldMessage(ns);
        List<SseClient.Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                open.add(SseClient.Connection.open(api.uri(held.path()), token));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> streamer.feed(held.key()).map(f -> f.subscribers() == 5).orElse(false));
            EventStreamer.FeedStats before = streamer.feed(held.key()).orElseThrow();
            await().atMost(Duration.ofSeconds(30)).until(() -> streamer.feed(held.key()).orElseThrow().ticks() >= before.ticks() + 8);
            EventStreamer.FeedStats after = streamer.feed(held.key()).orElseThrow();
            assertEquals(5, after.subscribers());
            assertEquals(after.ticks() - before.ticks(), after.reads() - before.reads(), "one read a tick for all five: " + after);
            assertEquals(before.backlogReads(), after.backlogReads(), "nobody is behind: " + after);
        } finally {
            open.forEach(SseClient.Connection::close);
        }
        // the last one gone, the feed stops
        await().atMost(Duration.ofSeconds(10)).until(() -> streamer.feed(held.key()).isEmpty());
    }

    @Test
    void aStreamOfAMessageThatNeverStartsEndsAtTheMaximumDuration() throws Exception {
        String ns = Harness.namespace(client, "too-long");
        String user = "viewer-" + ns;
        String token = userFor(ns);
        Held held = heldMessage(ns);
        Duration normal = streamer.maxDuration();
        CompletableFuture<SseClient.Received> sub;
        Instant subscribed = Instant.now();
        streamer.setMaxDuration(Duration.ofSeconds(2)); // for the stream that starts now only
        try {
            sub = SseClient.subscribe(api.uri(held.path()), token, null);
            await().atMost(Duration.ofSeconds(10)).until(() -> streamer.streams(user) == 1);
        } finally {
            streamer.setMaxDuration(normal);
        }
        SseClient.Received r = sub.get(30, TimeUnit.SECONDS);
        assertEquals(200, r.status(), r.raw());
        assertTrue(r.ended(), "the server ended it");
        assertTrue(r.events().isEmpty(), r.raw());
        assertTrue(r.comments().stream().anyMatch(c -> c.contains("maximum duration") && c.contains("reconnect")), r.raw());
        assertTrue(Duration.between(subscribed, Instant.now()).toMillis() >= 2000, "not before its time");
        assertEquals(MessagePhase.Queued, Harness.get(client, ns, "held-01").getStatus().getPhase(), "it never started");
        await().atMost(Duration.ofSeconds(10)).until(() -> streamer.streams(user) == 0);
    }

    @Test
    void aMessagesHistoryIsReadAsOnePageOfItsSessionsHistory() throws Exception {
        String ns = Harness.namespace(client, "pages");
        String token = userFor(ns);
        Harness.session(client, ns, "chat", s -> {
        });
        for (int i = 1; i <= 3; i++) {
            message(client, ns, "chat-0" + i, "chat", "Question " + i + " " + ns);
        }
        ClaudeMessage middle = null;
        for (int i = 1; i <= 3; i++) {
            ClaudeMessage m = awaitPhase(client, ns, "chat-0" + i, MessagePhase.Succeeded);
            middle = i == 2 ? m : middle;
        }
        String uid = middle.getMetadata().getUid();
        String path = dev.sessionops.claude.api.wire.ApiPaths.BASE + "/namespaces/" + ns + "/messages/chat-02/history";
        ConversationKey key = Harness.conversation(client, ns, "chat");
        await().atMost(Duration.ofSeconds(20)).until(() -> redis.execute("LLEN", key.history()).toLong() == 6);
        assertEquals("2:2", redis.execute("HGET", key.index(), uid).toString(), "its entries are the 3rd and 4th");

        JsonNode all = api.getAs(token, path).body();
        assertEquals(2, all.get("total").asLong());
        assertEquals(List.of("user", "assistant"), roles(all));
        assertEquals("Question 2 " + ns, all.get("items").get(0).get("content").asText());
        assertEquals(middle.getStatus().getResult(), all.get("items").get(1).get("content").asText());
        JsonNode second = api.getAs(token, path + "?offset=1&limit=1").body();
        assertEquals(2, second.get("total").asLong());
        assertEquals(1, second.get("offset").asLong());
        assertEquals(List.of(all.get("items").get(1)), HttpApiIT.list(second.get("items")));
        JsonNode past = api.getAs(token, path + "?offset=2").body();
        assertEquals(0, past.get("items").size());
        assertEquals(2, past.get("total").asLong());

        // only the page is read: the other messages' entries made unreadable change nothing (a scan would fail)
        List<String> entries = new ArrayList<>();
        redis.execute("LRANGE", key.history(), "0", "-1").forEach(e -> entries.add(e.toString()));
        for (int i : new int[] { 0, 1, 4, 5 }) {
            redis.execute("LSET", key.history(), Integer.toString(i), "not json");
        }
        try {
            assertEquals(all, api.getAs(token, path).body());
            // a message not recorded yet has nothing, and nothing is scanned for it either
            Harness.suspend(client, ns, "chat", true);
            message(client, ns, "chat-04", "chat", "Question 4 " + ns);
            Harness.awaitReason(client, ns, "chat-04", "SessionSuspended");
            ApiClient.Reply queued = api.getAs(token, dev.sessionops.claude.api.wire.ApiPaths.BASE + "/namespaces/" + ns + "/messages/chat-04/history");
            assertEquals(200, queued.status(), queued.raw());
            assertEquals(0, queued.body().get("total").asLong());
        } finally {
            for (int i : new int[] { 0, 1, 4, 5 }) {
                redis.execute("LSET", key.history(), Integer.toString(i), entries.get(i));
            }
        }

        // recorded before the index existed (no field): found by scanning the session's history, as before
        redis.execute("HDEL", key.index(), uid);
        assertEquals(all, api.getAs(token, path).body());
    }

    /** A message of a suspended session: it waits (Pending) for as long as the test likes. */
    private Held heldMessage(String ns) {
        Harness.session(client, ns, "held", s -> s.setSuspend(true));
        ClaudeMessage m = message(client, ns, "held-01", "held", "Never runs " + ns);
        Harness.awaitReason(client, ns, "held-01", "SessionSuspended");
        return new Held(EventFollower.keyOf(m), dev.sessionops.claude.api.wire.ApiPaths.BASE + "/namespaces/" + ns + "/messages/held-01/log");
    }

    private record Held(String key, String path) {
    }

    private static List<String> roles(JsonNode page) {
        return HttpApiIT.list(page.get("items")).stream().map(i -> i.get("role").asText()).toList();
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
