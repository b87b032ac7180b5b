package dev.sessionops.claude.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.sessionops.claude.events.EventEntry;
import dev.sessionops.claude.events.StreamIds;

/**
 * The events of one message for all of its subscribers ({@link EventStreamer} runs one per message with subscribers).
 * <p>
 * The feed has a <em>head</em>: the id of the last entry it read (or where its first subscriber started). Each
 * {@link #tick} makes <b>one</b> read of the entries after the head and hands them to every subscriber that is at the
 * head; a subscriber behind it (one that joined later, resumed from an older {@code Last-Event-ID}, or fell behind
 * because its client is slow) reads its own backlog, a bounded batch per tick up to the head (never past it), and so
 * reaches the head with no gap and no duplicate. Whether the message has ended is asked once per feed, not per
 * subscriber.
 * <p>
 * A slow client does not hold the others up: every write completes on its own; a subscriber with
 * {@link #LIVE_BELOW} events not yet written gets no live batch (it falls behind and later reads its backlog at its own
 * pace), one with {@link #CATCH_UP_BELOW} reads no more backlog, and one that still piles up more than
 * {@link #MAX_UNSENT}, or whose writes make no progress for {@link #STALL}, is closed. So nothing is buffered per
 * subscriber beyond those bounds, and a client that stopped reading does not keep its slot.
 * <p>
 * Ticks of one feed never overlap (each schedules the next), {@link #offer} and {@link #stats} may come from any thread.
 */
final class EventFeed {
    private static final Logger LOG = Logger.getLogger(EventFeed.class);
    static final int BATCH = 200;
    static final int CATCH_UP_BELOW = BATCH;
    static final int LIVE_BELOW = 2 * BATCH;
    static final int MAX_UNSENT = 4 * BATCH;
    static final Duration POLL = Duration.ofMillis(250);
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** How often a feed whose subscribers wait for events asks the API server whether its message has ended. */
    static final Duration STATUS_CHECK = Duration.ofSeconds(2);
    /** How long a subscriber's last write may take before its connection is closed anyway. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(10);
    /** A subscriber none of whose writes completed for this long (its client reads nothing) is closed. */
    static final Duration STALL = Duration.ofSeconds(60);
    /** What {@link #tick} returns once the feed has no subscribers left and takes no more. */
    static final long RETIRED = -1;

    /** Where the events come from. */
    interface Source {
        /** Up to {@code count} entries after {@code afterId} (from the start when null) up to {@code upToId} (the end when null). */
        List<EventEntry> read(String afterId, String upToId, int count);

        /** The message as the API server has it now. */
        Lookup lookUp();
    }

    /** The message: still to come or running, gone, or ended with this status (JSON). */
    record Lookup(boolean gone, String endedStatus) {
        static final Lookup RUNNING = new Lookup(false, null);
        static final Lookup GONE = new Lookup(true, null);

        static Lookup ended(String statusJson) {
            return new Lookup(false, statusJson);
        }
    }

    /** One client's connection. */
    interface Outlet {
        CompletionStage<?> event(EventEntry entry);

        /** The {@code status} event of a message that ended without (more) events. */
        CompletionStage<?> status(String statusJson);

        CompletionStage<?> comment(String text);

        boolean isClosed();

        void close();
    }

    /** Counters for tests and diagnostics. */
    record Stats(int subscribers, long ticks, long reads, long backlogReads, String head) {
    }

    /** One subscriber: where it is, and what it has not yet written. */
    static final class Subscriber {
        private final Outlet outlet;
        private final long deadline;
        private final Runnable onLeave;
        private final AtomicInteger unsent = new AtomicInteger();
        private final AtomicLong written = new AtomicLong();
        private volatile boolean failed;
        private long seenWritten;
        private long stalledSince;
        private String cursor;
        private long lastWrite;
        private boolean ending;
        private long closeBy;

        /**
         * @param lastEventId where it starts: after this id, or from the beginning when null
         * @param now         {@link System#nanoTime()} now
         * @param maxDuration after this long it is ended with a comment to reconnect
         * @param onLeave     run once when it has left the feed (its slot is given back)
         */
        Subscriber(Outlet outlet, String lastEventId, long now, Duration maxDuration, Runnable onLeave) {
            this.outlet = outlet;
            this.cursor = lastEventId;
            this.lastWrite = now;
            this.stalledSince = now;
            this.deadline = now + maxDuration.toNanos();
            this.onLeave = onLeave;
        }

        /** Writes one thing; its completion, not this call, counts it as sent. */
        void send(Supplier<CompletionStage<?>> write, long now) {
            write(write, now, false);
        }

        /** Writes the last thing, then closes the connection once it is written (or after {@link #CLOSE_GRACE}). */
        void end(Supplier<CompletionStage<?>> write, long now) {
            ending = true;
            closeBy = now + CLOSE_GRACE.toNanos();
            write(write, now, true);
        }

        /** Closes at once, nothing more to say (the message is gone, the client too slow). */
        void close() {
            ending = true;
            closeBy = 0;
            outlet.close();
        }

        String cursor() {
            return cursor;
        }

        int unsent() {
            return unsent.get();
        }

        private void write(Supplier<CompletionStage<?>> write, long now, boolean last) {
            lastWrite = now;
            unsent.incrementAndGet();
            CompletionStage<?> stage;
            try {
                stage = write.get();
            } catch (RuntimeException e) { // closed under us: the client left
                unsent.decrementAndGet();
                failed = true;
                return;
            }
            stage.whenComplete((v, error) -> {
                unsent.decrementAndGet();
                written.incrementAndGet();
                if (error != null) {
                    failed = true;
                }
                if (last || error != null) {
                    outlet.close();
                }
            });
        }

        /** Left, or to be removed: closed by either side, or a write failed. */
        private boolean gone() {
            if (failed && !outlet.isClosed()) {
                outlet.close();
            }
            return outlet.isClosed();
        }
    }

    private final Source source;
    private final String name;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final List<Subscriber> joining = new ArrayList<>();
    private boolean retired;
    private String head;
    /** The status of the message once the API server said it ended; final after one more read finds nothing new. */
    private String terminalStatus;
    private String endedStatus;
    private boolean messageGone;
    private long nextStatusCheck;
    private long ticks;
    private long reads;
    private long backlogReads;

    /**
     * @param head where the first read starts: after this id (the first subscriber's start), from the beginning when null
     * @param now  {@link System#nanoTime()} now
     */
    EventFeed(Source source, String name, String head, long now) {
        this.source = source;
        this.name = name;
        this.head = head;
        this.nextStatusCheck = now;
    }

    /** Adds a subscriber at the next tick; false once the feed has retired (then a new feed is needed). */
    boolean offer(Subscriber s) {
        synchronized (joining) {
            if (retired) {
                return false;
            }
            joining.add(s);
            return true;
        }
    }

    synchronized Stats stats() {
        return new Stats(subscribers.size(), ticks, reads, backlogReads, head);
    }

    /**
     * One round: lets subscribers go (left, ended, past their maximum duration), reads once after the head for those
     * at it, reads a backlog batch for each one behind, and ends them when the message has ended.
     *
     * @return milliseconds until the next tick, or {@link #RETIRED}
     */
    synchronized long tick(long now) {
        synchronized (joining) {
            subscribers.addAll(joining);
            joining.clear();
        }
        sweep(now);
        if (subscribers.isEmpty()) {
            synchronized (joining) {
                if (joining.isEmpty()) {
                    retired = true;
                    return RETIRED;
                }
            }
            return 0;
        }
        ticks++;
        try {
            return round(now) ? 0 : POLL.toMillis();
        } finally {
            // also when Redis or the API server failed this round: a waiting connection stays open
            for (Subscriber s : active()) {
                if (now - s.lastWrite >= KEEP_ALIVE.toNanos()) {
                    s.send(() -> s.outlet.comment("keep-alive"), now);
                }
            }
        }
    }

    /** Reads and hands out; true when a full batch was read (there is more to read at once). */
    private boolean round(long now) {
        boolean more = false;

        // the one read for everyone at the head
        List<Subscriber> heads = active().stream().filter(s -> atHead(s) && s.unsent() < LIVE_BELOW).toList();
        boolean drained = false;
        if (!heads.isEmpty()) {
            List<EventEntry> fresh = source.read(head, null, BATCH);
            reads++;
            for (Subscriber s : heads) {
                deliver(s, fresh, now);
            }
            if (!fresh.isEmpty()) {
                head = fresh.get(fresh.size() - 1).id();
            }
            more = fresh.size() == BATCH;
            drained = fresh.isEmpty();
        }

        // backlogs, a bounded batch each, up to the head
        for (Subscriber s : active()) {
            if (atHead(s) || s.unsent() >= CATCH_UP_BELOW) {
                continue;
            }
            List<EventEntry> backlog = source.read(s.cursor, head, BATCH);
            backlogReads++;
            deliver(s, backlog, now);
            if (backlog.size() < BATCH) {
                if (!s.ending) {
                    s.cursor = head; // it has everything up to the head (what is missing in between was trimmed)
                }
            } else {
                more = true;
            }
        }

        // has the message ended? asked once for the whole feed, when those at the head wait for more
        if (drained && endedStatus == null && !messageGone) {
            if (terminalStatus != null) {
                // the read after the final status found nothing: the reconciler completes the events before that
                endedStatus = terminalStatus;
            } else if (now - nextStatusCheck >= 0) {
                nextStatusCheck = now + STATUS_CHECK.toNanos();
                Lookup message = source.lookUp();
                messageGone = message.gone();
                terminalStatus = message.endedStatus();
            }
        }
        if (messageGone || endedStatus != null) {
            for (Subscriber s : active()) {
                if (atHead(s)) {
                    if (messageGone) {
                        s.close();
                    } else {
                        String status = endedStatus;
                        s.end(() -> s.outlet.status(status), now);
                    }
                }
            }
        }

        return more;
    }

    /** Ends every subscriber at once (the operator shuts down). */
    synchronized void closeAll() {
        synchronized (joining) {
            retired = true;
            subscribers.addAll(joining);
            joining.clear();
        }
        for (Subscriber s : subscribers) {
            s.outlet.close();
            s.onLeave.run();
        }
        subscribers.clear();
    }

    /** Removes who has left, and ends who has run out of time or piles up too much. */
    private void sweep(long now) {
        for (Iterator<Subscriber> it = subscribers.iterator(); it.hasNext();) {
            Subscriber s = it.next();
            if (s.gone()) {
                it.remove();
                s.onLeave.run();
            } else if (s.ending) {
                if (now - s.closeBy >= 0) {
                    s.outlet.close(); // its last write did not complete in time; removed next tick
                }
            } else if (s.unsent() > MAX_UNSENT || stalled(s, now)) {
                LOG.debugf("events of %s: closing a subscriber whose client does not keep up (%d events not yet written)",
                        name, s.unsent());
                s.close();
            } else if (now - s.deadline >= 0) {
                String reconnect = s.cursor == null ? "reconnect to start from the beginning"
                        : "reconnect with Last-Event-ID: " + s.cursor;
                s.end(() -> s.outlet.comment("the stream reached its maximum duration (cso.api.events.max-duration): "
                        + reconnect), now);
            }
        }
    }

    /** True when the subscriber has had writes outstanding, none of them completing, for {@link #STALL}. */
    private static boolean stalled(Subscriber s, long now) {
        long written = s.written.get();
        if (s.unsent() == 0 || written != s.seenWritten) {
            s.seenWritten = written;
            s.stalledSince = now;
            return false;
        }
        return now - s.stalledSince >= STALL.toNanos();
    }

    private List<Subscriber> active() {
        return subscribers.stream().filter(s -> !s.ending).toList();
    }

    /** At the head, or past it (it resumed after an id the feed has not read yet: it skips up to there). */
    private boolean atHead(Subscriber s) {
        return StreamIds.compare(s.cursor, head) >= 0;
    }

    /** Sends the entries after the subscriber's cursor, in order; the result event is its last. */
    private static void deliver(Subscriber s, List<EventEntry> entries, long now) {
        for (EventEntry e : entries) {
            if (s.ending) {
                return;
            }
            if (StreamIds.compare(e.id(), s.cursor) <= 0) {
                continue;
            }
            s.cursor = e.id();
            if (e.isResult()) {
                s.end(() -> s.outlet.event(e), now);
            } else {
                s.send(() -> s.outlet.event(e), now);
            }
        }
    }
}
