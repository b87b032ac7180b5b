package dev.sessionops.claude.http;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.events.EventEntry;
import dev.sessionops.claude.events.EventFollower;
import dev.sessionops.claude.events.EventStore;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Sends a message's events to one SSE subscriber: everything in its Redis Stream after {@code Last-Event-ID} (from the
 * start without one), then what arrives, until the {@code result} event. It reads Redis, never the pod, so it works on
 * any replica, the leader's follower being the one writer. A message that ended without a result (or whose events
 * expired) ends the stream with one {@code status} event carrying its status. Polls on a small shared scheduler: no
 * thread and no Redis connection is held per subscriber.
 */
@ApplicationScoped
public class EventStreamer {
    private static final Logger LOG = Logger.getLogger(EventStreamer.class);
    static final Duration POLL = Duration.ofMillis(250);
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** How often a subscriber waiting for events asks the API server whether its message has ended. */
    static final Duration STATUS_CHECK = Duration.ofSeconds(2);
    static final int BATCH = 200;
    public static final String STATUS_EVENT = "status";

    private final EventStore store;
    private final KubernetesClient client;
    private final ObjectMapper json;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "sse-events");
        t.setDaemon(true);
        return t;
    });

    public EventStreamer(EventStore store, KubernetesClient client, ObjectMapper json) {
        this.store = store;
        this.client = client;
        this.json = json;
    }

    /** Starts streaming; returns at once, the subscription lives on the scheduler until it ends or the client leaves. */
    public void stream(ClaudeMessage message, String lastEventId, SseEventSink sink, Sse sse) {
        Subscription s = new Subscription(message, lastEventId, sink, sse);
        // a first comment sends the response headers now, even when no event is there yet
        s.send(sse.newEventBuilder().comment("events of " + message.getMetadata().getName()).build())
                .whenComplete((v, e) -> s.schedule(Duration.ZERO));
    }

    @PreDestroy
    void shutdown() {
        scheduler.shutdownNow();
    }

    private final class Subscription {
        private final String namespace;
        private final String name;
        private final String key;
        private final SseEventSink sink;
        private final Sse sse;
        private String lastId;
        private long lastWrite = System.nanoTime();
        private long nextStatusCheck = System.nanoTime();

        Subscription(ClaudeMessage message, String lastEventId, SseEventSink sink, Sse sse) {
            this.namespace = message.getMetadata().getNamespace();
            this.name = message.getMetadata().getName();
            this.key = EventFollower.keyOf(message);
            this.lastId = lastEventId;
            this.sink = sink;
            this.sse = sse;
        }

        void schedule(Duration delay) {
            if (sink.isClosed()) {
                return;
            }
            try {
                scheduler.schedule(this::tick, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                close(); // shutting down
            }
        }

        private void tick() {
            if (sink.isClosed()) {
                return;
            }
            try {
                List<EventEntry> entries = store.after(key, lastId, BATCH);
                if (!entries.isEmpty()) {
                    sendAll(entries);
                    return;
                }
                if (System.nanoTime() - nextStatusCheck >= 0 && ended()) {
                    return;
                }
                if (System.nanoTime() - lastWrite >= KEEP_ALIVE.toNanos()) {
                    send(sse.newEventBuilder().comment("keep-alive").build());
                }
                schedule(POLL);
            } catch (RuntimeException e) {
                LOG.debugf("events of %s/%s: %s (retrying)", namespace, name, e.getMessage());
                schedule(Duration.ofSeconds(1));
            }
        }

        /** Sends a batch in order; the next look waits until it is written, so a slow client is not flooded. */
        private void sendAll(List<EventEntry> entries) {
            CompletionStage<?> written = CompletableFuture.completedFuture(null);
            boolean result = false;
            for (EventEntry e : entries) {
                OutboundSseEvent event = sse.newEventBuilder().id(e.id()).name(e.type()).data(String.class, e.data()).build();
                written = send(event);
                lastId = e.id();
                if (e.isResult()) {
                    result = true;
                    break;
                }
            }
            boolean end = result;
            boolean more = entries.size() == BATCH;
            written.whenComplete((v, error) -> {
                if (error != null || end) {
                    close();
                } else {
                    schedule(more ? Duration.ZERO : POLL);
                }
            });
        }

        /**
         * True when the stream has ended: the message is gone, or it has finished and nothing more is coming (the
         * reconciler completes the events before it writes the final status), then a {@code status} event says how.
         */
        private boolean ended() {
            nextStatusCheck = System.nanoTime() + STATUS_CHECK.toNanos();
            ClaudeMessage message = client.resources(ClaudeMessage.class).inNamespace(namespace).withName(name).get();
            if (message == null) {
                close();
                return true;
            }
            ClaudeMessageStatus status = message.getStatus();
            if (status == null || status.getPhase() == null || !status.getPhase().isTerminal()) {
                return false;
            }
            List<EventEntry> late = store.after(key, lastId, BATCH);
            if (!late.isEmpty()) {
                sendAll(late);
                return true;
            }
            send(sse.newEventBuilder().name(STATUS_EVENT).data(String.class, toJson(status)).build())
                    .whenComplete((v, e) -> close());
            return true;
        }

        CompletionStage<?> send(OutboundSseEvent event) {
            lastWrite = System.nanoTime();
            return sink.send(event);
        }

        private void close() {
            try {
                sink.close();
            } catch (RuntimeException e) {
                // already gone
            }
        }

        private String toJson(ClaudeMessageStatus status) {
            try {
                return json.writeValueAsString(status);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
