package dev.sessionops.claude.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.events.EventEntry;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.events.EventStore;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Sends a message's events to its SSE subscribers: everything in its Redis Stream after {@code Last-Event-ID} (from
 * the start without one), then what arrives, until the {@code result} event. It reads Redis, never the pod, so it works
 * on any replica, the leader's follower being the one writer. A message that ended without a result (or whose events
 * expired) ends the stream with one {@code status} event carrying its status.
 * <p>
 * One {@link EventFeed} per message with subscribers, ticking every {@link EventFeed#POLL} on a small shared scheduler:
 * one Redis read per tick for all of the message's subscribers at the head, a bounded backlog read for each one behind
 * it, and one API-server look per {@link EventFeed#STATUS_CHECK} for the whole message; no thread and no Redis
 * connection is held per subscriber.
 * <p>
 * Guards: at most {@code cso.api.events.max-streams} streams at once and {@code cso.api.events.max-streams-per-user}
 * per user, more are refused with 429 and {@code Retry-After}; a slot is given back when the stream ends or its client
 * leaves. A stream lasts at most {@code cso.api.events.max-duration}, whether or not its message ever ran: it then ends
 * with a comment ({@code : the stream reached its maximum duration …: reconnect with Last-Event-ID: <id>}) rather than
 * a {@code status} event, because a {@code status} event means the message has ended (clients such as
 * {@code kubectl claude} stop there), while a plain end of the stream makes EventSource and {@code kubectl claude}
 * reconnect with the last id they saw and go on where they were.
 */
@ApplicationScoped
public class EventStreamer {
    private static final Logger LOG = Logger.getLogger(EventStreamer.class);
    /** Threads of the scheduler that runs every feed's ticks (each a few Redis reads at most). */
    static final int THREADS = 2;
    static final Duration RETRY = Duration.ofSeconds(1);
    public static final String STATUS_EVENT = "status";

    private final EventStore store;
    private final KubernetesClient client;
    private final ObjectMapper json;
    private final StreamSlots slots;
    private volatile Duration maxDuration;
    private final Map<String, EventFeed> feeds = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "sse-events");
        t.setDaemon(true);
        return t;
    });

    public EventStreamer(EventStore store, KubernetesClient client, ObjectMapper json, OperatorConfig config) {
        this.store = store;
        this.client = client;
        this.json = json;
        OperatorConfig.Api.Events limits = config.api().events();
        this.slots = new StreamSlots(limits.maxStreams(), limits.maxStreamsPerUser());
        this.maxDuration = limits.maxDuration();
    }

    /**
     * Starts streaming; returns at once, the subscription lives on the scheduler until it ends or the client leaves.
     *
     * @param user who asks ({@link CurrentCaller#userKey()}), for the per-user limit
     * @throws ApiException 429 when a limit is reached (nothing has been sent then)
     */
    public void stream(ClaudeMessage message, String lastEventId, String user, SseEventSink sink, Sse sse) {
        StreamSlots.Slot slot = slots.acquire(user);
        try {
            String namespace = message.getMetadata().getNamespace();
            String name = message.getMetadata().getName();
            long now = System.nanoTime();
            SseOutlet outlet = new SseOutlet(sink, sse);
            EventFeed.Subscriber s = new EventFeed.Subscriber(outlet, lastEventId, now, maxDuration, slot::release);
            // a first comment sends the response headers now, even when no event is there yet
            s.send(() -> outlet.comment("events of " + name), now);
            join(EventFollower.keyOf(message), namespace, name, s, now);
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
    }

    /** Streams open now, all users together. */
    public int streams() {
        return slots.inUse();
    }

    /** Streams open now of one user ({@link CurrentCaller#userKey()}). */
    public int streams(String user) {
        return slots.inUse(user);
    }

    /**
     * What the feed of one message's events (key from {@link EventFollower#keyOf}) has done, while it has subscribers.
     *
     * @param subscribers  joined and not yet gone
     * @param ticks        rounds with subscribers
     * @param reads        reads of new entries for the subscribers at the head: at most one a tick
     * @param backlogReads reads of a subscriber's backlog (one batch each)
     * @param head         the id of the newest entry read
     */
    public record FeedStats(int subscribers, long ticks, long reads, long backlogReads, String head) {
    }

    public Optional<FeedStats> feed(String key) {
        return Optional.ofNullable(feeds.get(key)).map(EventFeed::stats)
                .map(s -> new FeedStats(s.subscribers(), s.ticks(), s.reads(), s.backlogReads(), s.head()));
    }

    /**
     * The maximum duration of the streams that start from now on; tests shorten it around one subscription (it is
     * never a request parameter: a client cannot choose its own).
     */
    public void setMaxDuration(Duration maxDuration) {
        this.maxDuration = maxDuration;
    }

    public Duration maxDuration() {
        return maxDuration;
    }

    @PreDestroy
    void shutdown() {
        scheduler.shutdownNow();
        feeds.values().forEach(EventFeed::closeAll);
        feeds.clear();
    }

    /** Adds the subscriber to its message's feed, starting one if there is none (or the one there just retired). */
    private void join(String key, String namespace, String name, EventFeed.Subscriber s, long now) {
        while (true) {
            EventFeed feed = feeds.get(key);
            if (feed == null) {
                EventFeed created = new EventFeed(new MessageSource(key, namespace, name), namespace + "/" + name,
                        s.cursor(), now);
                if (feeds.putIfAbsent(key, created) == null) {
                    created.offer(s);
                    schedule(key, created, 0);
                    return;
                }
            } else if (feed.offer(s)) {
                return;
            } else {
                feeds.remove(key, feed);
            }
        }
    }

    private void schedule(String key, EventFeed feed, long delayMillis) {
        try {
            scheduler.schedule(() -> tick(key, feed), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            feeds.remove(key, feed); // shutting down
            feed.closeAll();
        }
    }

    private void tick(String key, EventFeed feed) {
        long next;
        try {
            next = feed.tick(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.debugf("events of %s: %s (retrying)", key, e.getMessage());
            next = RETRY.toMillis();
        }
        if (next == EventFeed.RETIRED) {
            feeds.remove(key, feed);
        } else {
            schedule(key, feed, next);
        }
    }

    /** One message's events in Redis and its status in the API server. */
    private final class MessageSource implements EventFeed.Source {
        private final String key;
        private final String namespace;
        private final String name;

        MessageSource(String key, String namespace, String name) {
            this.key = key;
            this.namespace = namespace;
            this.name = name;
        }

        @Override
        public List<EventEntry> read(String afterId, String upToId, int count) {
            return store.range(key, afterId, upToId, count);
        }

        /**
         * Gone, or finished: then nothing more is coming (the reconciler completes the events before it writes the
         * final status).
         */
        @Override
        public EventFeed.Lookup lookUp() {
            ClaudeMessage message = client.resources(ClaudeMessage.class).inNamespace(namespace).withName(name).get();
            if (message == null) {
                return EventFeed.Lookup.GONE;
            }
            ClaudeMessageStatus status = message.getStatus();
            if (status == null || status.getPhase() == null || !status.getPhase().isTerminal()) {
                return EventFeed.Lookup.RUNNING;
            }
            return EventFeed.Lookup.ended(toJson(status));
        }

        private String toJson(ClaudeMessageStatus status) {
            try {
                return json.writeValueAsString(status);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A subscriber's SSE connection. */
    private record SseOutlet(SseEventSink sink, Sse sse) implements EventFeed.Outlet {
        @Override
        public CompletionStage<?> event(EventEntry e) {
            return sink.send(sse.newEventBuilder().id(e.id()).name(e.type()).data(String.class, e.data()).build());
        }

        @Override
        public CompletionStage<?> status(String statusJson) {
            return sink.send(sse.newEventBuilder().name(STATUS_EVENT).data(String.class, statusJson).build());
        }

        @Override
        public CompletionStage<?> comment(String text) {
            return sink.send(sse.newEventBuilder().comment(text).build());
        }

        @Override
        public boolean isClosed() {
            return sink.isClosed();
        }

        @Override
        public void close() {
            try {
                sink.close();
            } catch (RuntimeException e) {
                // already gone
            }
        }
    }
}
