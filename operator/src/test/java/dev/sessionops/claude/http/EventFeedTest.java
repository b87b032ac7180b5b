package dev.sessionops.claude.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.events.EventEntry;
import dev.sessionops.claude.events.StreamIds;

/**
 * The feed's merge of backlog and live events, its one read per tick, its per-message status check and its guards,
 * against an in-memory stream and connections whose writes complete when the test says so; time is the test's.
 */
class EventFeedTest {
    private static final Duration LONG = Duration.ofHours(1);

    private final Stream stream = new Stream();
    private long now = 1_000_000_000L;

    @Test
    void everySubscriberGetsEveryEntryAfterItsStartOnceAndInOrderWheneverItJoins() {
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            Stream s = new Stream();
            List<Client> clients = new ArrayList<>();
            EventFeed feed = null;
            int total = 300 + random.nextInt(900);
            // the follower appends while the feed reads, too: between its read for the head and a backlog read
            s.afterRead = () -> {
                if (random.nextInt(3) == 0 && s.entries.size() < total - 1) {
                    s.append(Math.min(total - 1 - s.entries.size(), random.nextInt(30)), false);
                }
            };
            for (int i = 0; s.entries.size() < total || clients.stream().anyMatch(c -> !c.outlet.closed); i++) {
                assertTrue(i < 10_000, "round " + round + " does not end");
                if (s.entries.size() < total && clients.size() < 8 && (i == 0 || random.nextInt(3) == 0)) {
                    // from the start, or after an entry there already (a reconnect)
                    String from = s.entries.isEmpty() || random.nextBoolean() ? null
                            : s.entries.get(random.nextInt(s.entries.size())).id();
                    Client c = new Client(from);
                    if (feed == null) {
                        feed = new EventFeed(s, "test", from, now);
                    }
                    assertTrue(feed.offer(c.subscriber(now, LONG)));
                    clients.add(c);
                }
                // small steps, and bursts past one read (so the head lags the end of the stream)
                int n = Math.min(total - s.entries.size(), random.nextInt(random.nextBoolean() ? 50 : 500));
                s.append(n, n > 0 && s.entries.size() + n == total);
                feed.tick(now);
                now += EventFeed.POLL.toNanos();
            }
            for (Client c : clients) {
                List<String> expected = s.entries.stream().map(EventEntry::id)
                        .filter(id -> StreamIds.compare(id, c.from) > 0).toList();
                assertEquals(expected, c.outlet.eventIds(), "round " + round + ", from " + c.from);
                assertEquals("result", s.entries.get(s.entries.size() - 1).type());
                assertTrue(c.outlet.closed, "ended after the result");
            }
            EventFeed.Stats stats = feed.stats();
            assertTrue(stats.reads() <= stats.ticks(), stats.toString());
        }
    }

    @Test
    void oneReadATickForEveryoneAtTheHeadWhateverTheirNumber() {
        EventFeed feed = new EventFeed(stream, "test", null, now);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Client c = new Client(null);
            feed.offer(c.subscriber(now, LONG));
            clients.add(c);
        }
        for (int tick = 0; tick < 12; tick++) {
            if (tick % 3 == 0) {
                stream.append(5, false);
            }
            tick(feed);
        }
        EventFeed.Stats stats = feed.stats();
        assertEquals(50, stats.subscribers());
        assertEquals(12, stats.ticks());
        assertEquals(12, stats.reads());
        assertEquals(0, stats.backlogReads());
        assertEquals(12, stream.reads);
        List<String> all = stream.entries.stream().map(EventEntry::id).toList();
        clients.forEach(c -> assertEquals(all, c.outlet.eventIds()));
    }

    @Test
    void aLateSubscriberReadsItsBacklogInBoundedBatchesUpToTheHeadThenJoins() {
        EventFeed feed = new EventFeed(stream, "test", null, now);
        Client early = new Client(null);
        feed.offer(early.subscriber(now, LONG));
        stream.append(3 * EventFeed.BATCH + 10, false);
        for (int i = 0; i < 4; i++) {
            tick(feed);
        }
        assertEquals(3 * EventFeed.BATCH + 10, early.outlet.eventIds().size());
        Client late = new Client(null);
        feed.offer(late.subscriber(now, LONG));
        stream.append(7, false); // arrives while the late one catches up
        tick(feed); // the head moves on by 7 for the early one; the late one reads one batch of its backlog
        assertEquals(EventFeed.BATCH, late.outlet.eventIds().size());
        while (feed.stats().backlogReads() < 4) {
            tick(feed);
        }
        stream.append(1, true);
        tick(feed);
        List<String> all = stream.entries.stream().map(EventEntry::id).toList();
        assertEquals(all, early.outlet.eventIds());
        assertEquals(all, late.outlet.eventIds());
        assertEquals(4, feed.stats().backlogReads(), "ceil(617 / 200) batches, none past the head");
        assertTrue(early.outlet.closed && late.outlet.closed);
    }

    @Test
    void aSlowClientFallsBehindWithoutHoldingTheOthersAndCatchesUpFromTheStream() {
        EventFeed feed = new EventFeed(stream, "test", null, now);
        Client fast = new Client(null);
        Client slow = new Client(null);
        slow.outlet.holdWrites = true;
        feed.offer(fast.subscriber(now, LONG));
        feed.offer(slow.subscriber(now, LONG));
        int maxUnsent = 0;
        for (int i = 0; i < 20; i++) {
            stream.append(100, false);
            tick(feed);
            maxUnsent = Math.max(maxUnsent, slow.outlet.held.size());
        }
        assertEquals(2000, fast.outlet.eventIds().size(), "the fast one has everything");
        assertTrue(maxUnsent < EventFeed.LIVE_BELOW + EventFeed.BATCH, "bounded: " + maxUnsent);
        assertFalse(slow.outlet.closed, "slow, not stalled: a minute has not passed");
        // the slow client reads now: it catches up from the stream, in order, nothing twice
        slow.outlet.holdWrites = false;
        slow.outlet.release();
        stream.append(1, true);
        for (int i = 0; i < 30 && !slow.outlet.closed; i++) {
            tick(feed);
        }
        List<String> all = stream.entries.stream().map(EventEntry::id).toList();
        assertEquals(all, slow.outlet.eventIds());
        assertEquals(all, fast.outlet.eventIds());
        assertTrue(feed.stats().backlogReads() > 0);
    }

    @Test
    void aClientThatReadsNothingIsClosedAndItsSlotGivenBack() {
        EventFeed feed = new EventFeed(stream, "test", null, now);
        Client stuck = new Client(null);
        stuck.outlet.holdWrites = true;
        feed.offer(stuck.subscriber(now, LONG));
        stream.append(10, false);
        long until = now + EventFeed.STALL.toNanos() + EventFeed.POLL.toNanos() * 2;
        while (now < until) {
            tick(feed);
        }
        assertTrue(stuck.outlet.closed);
        tick(feed);
        assertEquals(1, stuck.left.get());
        assertEquals(EventFeed.RETIRED, feed.tick(now));
        assertFalse(feed.offer(new Client(null).subscriber(now, LONG)), "a retired feed takes no one");
    }

    @Test
    void theStatusIsAskedOncePerMessageAndEndsTheWaitingWithOneStatusEvent() {
        EventFeed feed = new EventFeed(stream, "test", null, now);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Client c = new Client(null);
            feed.offer(c.subscriber(now, LONG));
            clients.add(c);
        }
        for (int i = 0; i < 40; i++) { // 10 s of waiting
            tick(feed);
        }
        assertEquals(5, stream.lookUps, "every 2 s for the message, not per subscriber");
        stream.lookUp = EventFeed.Lookup.ended("{\"phase\":\"Failed\"}");
        for (int i = 0; i < 8 + 2; i++) {
            tick(feed);
        }
        for (Client c : clients) {
            assertEquals(List.of("status:{\"phase\":\"Failed\"}"), c.outlet.sent.stream().filter(x -> !x.startsWith("comment")).toList());
            assertTrue(c.outlet.closed);
        }
        tick(feed);
        clients.forEach(c -> assertEquals(1, c.left.get()));
    }

    @Test
    void aDeletedMessageEndsItsStreams() {
        EventFeed feed = new EventFeed(stream, "test", null, now);
        Client c = new Client(null);
        feed.offer(c.subscriber(now, LONG));
        stream.lookUp = EventFeed.Lookup.GONE;
        tick(feed);
        assertTrue(c.outlet.closed);
        assertTrue(c.outlet.eventIds().isEmpty());
    }

    @Test
    void aStreamEndsAtItsMaximumDurationWithACommentToReconnect() {
        EventFeed feed = new EventFeed(stream, "test", null, now);
        Client c = new Client(null);
        feed.offer(c.subscriber(now, Duration.ofSeconds(5)));
        stream.append(2, false);
        tick(feed);
        for (int i = 0; i < 15; i++) {
            tick(feed);
        }
        assertFalse(c.outlet.closed, "4 s");
        for (int i = 0; i < 5; i++) {
            tick(feed);
        }
        assertTrue(c.outlet.closed);
        String last = c.outlet.sent.get(c.outlet.sent.size() - 1);
        assertEquals("comment:the stream reached its maximum duration (cso.api.events.max-duration): reconnect with "
                + "Last-Event-ID: " + stream.entries.get(1).id(), last);
        tick(feed);
        assertEquals(1, c.left.get());
    }

    @Test
    void aWaitingStreamIsKeptAlive() {
        EventFeed feed = new EventFeed(stream, "test", null, now);
        Client c = new Client(null);
        feed.offer(c.subscriber(now, LONG));
        for (int i = 0; i < 4 * 16; i++) {
            tick(feed);
        }
        assertEquals(List.of("comment:keep-alive"), c.outlet.sent);
    }

    @Test
    void aWaitingStreamIsKeptAliveWhileRedisFails() {
        EventFeed feed = new EventFeed(stream, "test", null, now);
        Client c = new Client(null);
        feed.offer(c.subscriber(now, LONG));
        stream.failing = true;
        for (int i = 0; i < 4 * 16; i++) {
            try {
                feed.tick(now);
            } catch (IllegalStateException e) {
                // as Redis down: the streamer tries again
            }
            now += EventFeed.POLL.toNanos();
        }
        assertEquals(List.of("comment:keep-alive"), c.outlet.sent);
        assertFalse(c.outlet.closed);
    }

    private void tick(EventFeed feed) {
        feed.tick(now);
        now += EventFeed.POLL.toNanos();
    }

    /** An in-memory Redis Stream with XRANGE's semantics. */
    private static final class Stream implements EventFeed.Source {
        final List<EventEntry> entries = new ArrayList<>();
        EventFeed.Lookup lookUp = EventFeed.Lookup.RUNNING;
        Runnable afterRead = () -> {
        };
        int reads;
        int lookUps;
        boolean failing;
        private long millis = 1_700_000_000_000L;

        void append(int count, boolean endWithResult) {
            for (int i = 0; i < count; i++) {
                boolean result = endWithResult && i == count - 1;
                String id = millis + "-" + (i % 3);
                if (i % 3 == 2) {
                    millis++;
                }
                entries.add(new EventEntry(id, entries.size() + 1, result ? "result" : "assistant", "{}"));
            }
            millis++;
        }

        @Override
        public List<EventEntry> read(String afterId, String upToId, int count) {
            if (failing) {
                throw new IllegalStateException("Redis is down");
            }
            reads++;
            List<EventEntry> range = entries.stream().filter(e -> StreamIds.compare(e.id(), afterId) > 0)
                    .filter(e -> upToId == null || StreamIds.compare(e.id(), upToId) <= 0).limit(count).toList();
            afterRead.run();
            return range;
        }

        @Override
        public EventFeed.Lookup lookUp() {
            lookUps++;
            return lookUp;
        }
    }

    private static final class Client {
        final String from;
        final Outlet outlet = new Outlet();
        final AtomicInteger left = new AtomicInteger();

        Client(String from) {
            this.from = from;
        }

        EventFeed.Subscriber subscriber(long now, Duration maxDuration) {
            return new EventFeed.Subscriber(outlet, from, now, maxDuration, left::incrementAndGet);
        }
    }

    /** Records what is written; with {@code holdWrites} the writes complete only at {@link #release()}. */
    private static final class Outlet implements EventFeed.Outlet {
        final List<String> sent = new ArrayList<>();
        final List<CompletableFuture<Void>> held = new ArrayList<>();
        boolean holdWrites;
        boolean closed;

        List<String> eventIds() {
            return sent.stream().filter(s -> s.startsWith("event:")).map(s -> s.substring(6)).toList();
        }

        void release() {
            List<CompletableFuture<Void>> done = new ArrayList<>(held);
            held.clear();
            done.forEach(f -> f.complete(null));
        }

        private CompletionStage<?> write(String what) {
            if (closed) {
                throw new IllegalStateException("Already closed");
            }
            sent.add(what);
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (holdWrites) {
                held.add(f);
            } else {
                f.complete(null);
            }
            return f;
        }

        @Override
        public CompletionStage<?> event(EventEntry entry) {
            return write("event:" + entry.id());
        }

        @Override
        public CompletionStage<?> status(String statusJson) {
            return write("status:" + statusJson);
        }

        @Override
        public CompletionStage<?> comment(String text) {
            return write("comment:" + text);
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
