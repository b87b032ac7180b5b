package dev.sessionops.claude.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one client (the operator, or the bare client) did in one scenario, from the {@link Timeline}, the audit log
 * and Redis's counters over the same window.
 *
 * @param messages  messages run
 * @param failures  of those, how many did not end recorded (should be 0: the figures are worth little otherwise)
 * @param dispatch  per message after the first of its chain: its Job's creation less the previous Job's completion (ms)
 * @param recording per message: the run recorded less its Job's completion (ms)
 * @param elapsedMs from the start of the scenario (before the first request) to the last message recorded
 * @param requests  the client's API requests, counted by the API server, in the window
 * @param redisCalls Redis commands in the window by command, or null where the client does not use Redis
 */
record SideFigures(int messages, int failures, List<Long> dispatch, List<Long> recording, long elapsedMs,
        ApiAudit.RequestCount requests, Map<String, Long> redisCalls) {

    /** The figures of chains run from {@code startMs} on, as the timeline saw them. */
    static SideFigures of(Timeline timeline, String namespace, List<Chain> chains, long startMs,
            ApiAudit.RequestCount requests, Map<String, Long> redisCalls) {
        List<Long> dispatch = new ArrayList<>();
        List<Long> recording = new ArrayList<>();
        int messages = 0;
        int failures = 0;
        long last = startMs;
        for (Chain chain : chains) {
            Timeline.Step previous = null;
            for (Timeline.Step step : timeline.chain(namespace, chain.messages())) {
                messages++;
                if (step.failure() != null || step.recorded() == null) {
                    failures++;
                }
                if (previous != null && previous.completed() != null && step.created() != null) {
                    dispatch.add(step.created() - previous.completed());
                }
                if (step.completed() != null && step.recorded() != null) {
                    recording.add(step.recorded() - step.completed());
                    last = Math.max(last, step.recorded());
                }
                previous = step;
            }
        }
        return new SideFigures(messages, failures, List.copyOf(dispatch), List.copyOf(recording), last - startMs,
                requests, redisCalls);
    }

    double throughput() {
        return elapsedMs == 0 ? 0 : messages * 1000.0 / elapsedMs;
    }

    Long dispatchP(double q) {
        return Percentiles.of(dispatch, q);
    }

    Long recordingP(double q) {
        return Percentiles.of(recording, q);
    }

    double requestsPerMessage() {
        return (double) requests.total() / messages;
    }

    double verbPerMessage(String verb) {
        return (double) requests.verb(verb) / messages;
    }

    Double redisPerMessage() {
        return redisCalls == null ? null
                : (double) redisCalls.values().stream().mapToLong(Long::longValue).sum() / messages;
    }
}
