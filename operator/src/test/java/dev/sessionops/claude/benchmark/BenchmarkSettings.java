package dev.sessionops.claude.benchmark;

import java.time.Duration;
import java.util.Set;

/**
 * The benchmark's sizes, from system properties ({@code -Dbench.…} on the Maven command line reaches the test JVM).
 * The defaults keep a run to a few minutes on 2 cores; the full sizes are in the README.
 *
 * @param scenarios        which scenarios run, of {@code a,b,c} ({@code bench.scenarios})
 * @param warmUpMessages   the warm-up's one session of messages, and as many again over 10 sessions
 *                         ({@code bench.warm-up.messages}, 30; 0: none)
 * @param lowLoadMessages  (a) one session's messages ({@code bench.a.messages}, 120: past 101, a p99 is not the
 *                         largest sample)
 * @param sessions         (b) S, sessions at once ({@code bench.sessions}, 50)
 * @param messages         (b) M, messages per session ({@code bench.messages}, 4)
 * @param heldSessions     (c) sessions at once over the held load ({@code bench.c.sessions}, S)
 * @param heldMessages     (c) messages per session over the held load ({@code bench.c.messages}, M)
 * @param idleSessions     (c) N, idle sessions held ({@code bench.c.idle-sessions}, 100)
 * @param finishedMessages (c) finished (Cancelled) messages held ({@code bench.c.finished-messages}, 1000)
 * @param kubeletParallel  pods the test kubelet runs at once ({@code bench.kubelet.parallel}, 16)
 * @param timeout          the longest one side of a scenario may take ({@code bench.timeout.minutes}, 15)
 */
record BenchmarkSettings(Set<String> scenarios, int warmUpMessages, int lowLoadMessages, int sessions, int messages, int heldSessions,
        int heldMessages, int idleSessions, int finishedMessages, int kubeletParallel, Duration timeout) {

    static BenchmarkSettings fromSystemProperties() {
        int sessions = integer("bench.sessions", 50);
        int messages = integer("bench.messages", 4);
        return new BenchmarkSettings(
                Set.of(System.getProperty("bench.scenarios", "a,b,c").split("\\s*,\\s*")),
                integer("bench.warm-up.messages", 30),
                integer("bench.a.messages", 120),
                sessions,
                messages,
                integer("bench.c.sessions", sessions),
                integer("bench.c.messages", messages),
                integer("bench.c.idle-sessions", 100),
                integer("bench.c.finished-messages", 1000),
                integer("bench.kubelet.parallel", 16),
                Duration.ofMinutes(integer("bench.timeout.minutes", 15)));
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    private static int integer(String name, int defaultValue) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? defaultValue : Integer.parseInt(value.trim());
    }
}
