package dev.sessionops.claude.http;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the open event streams against {@code cso.api.events.max-streams} (all users) and
 * {@code cso.api.events.max-streams-per-user}: a stream takes a {@link Slot} before it starts and gives it back once
 * when it ends or its client leaves.
 */
final class StreamSlots {
    /**
     * The {@code Retry-After} of a refused stream: streams last minutes, so sooner is pointless, and a client that
     * waits this long costs one request per interval.
     */
    static final int RETRY_AFTER_SECONDS = 10;

    private final int maxTotal;
    private final int maxPerUser;
    private final Map<String, Integer> perUser = new HashMap<>();
    private int total;

    StreamSlots(int maxTotal, int maxPerUser) {
        if (maxTotal < 1 || maxPerUser < 1) {
            throw new IllegalArgumentException("stream limits must be at least 1, got " + maxTotal + " and " + maxPerUser);
        }
        this.maxTotal = maxTotal;
        this.maxPerUser = maxPerUser;
    }

    /**
     * A slot for one more stream of {@code user}.
     *
     * @throws ApiException 429 with {@code Retry-After} when the user or the operator has all it may have
     */
    synchronized Slot acquire(String user) {
        int mine = perUser.getOrDefault(user, 0);
        if (mine >= maxPerUser) {
            throw ApiException.tooManyRequests("user \"" + user + "\" has " + mine + " event streams open, the most "
                    + "allowed (cso.api.events.max-streams-per-user): close one or try again later", RETRY_AFTER_SECONDS);
        }
        if (total >= maxTotal) {
            throw ApiException.tooManyRequests("the operator serves " + total + " event streams, the most allowed "
                    + "(cso.api.events.max-streams): try again later", RETRY_AFTER_SECONDS);
        }
        perUser.put(user, mine + 1);
        total++;
        return new Slot(user);
    }

    synchronized int inUse() {
        return total;
    }

    synchronized int inUse(String user) {
        return perUser.getOrDefault(user, 0);
    }

    private synchronized void release(String user) {
        total--;
        perUser.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
    }

    /** One open stream; {@link #release()} gives it back, the first call only. */
    final class Slot {
        private final String user;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String user) {
            this.user = user;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                StreamSlots.this.release(user);
            }
        }
    }
}
