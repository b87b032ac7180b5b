package dev.sessionops.claude.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

class OperatorMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OperatorMetrics metrics = new OperatorMetrics(registry);

    @Test
    void aFinishedRunCountsItsOutcomeDurationCostAndTokens() {
        ClaudeMessage m = message("team-a", "m1", MessagePhase.Succeeded);
        m.getStatus().setDurationMs(2500L);
        metrics.runFinished(m, MessagePhase.Succeeded, "Succeeded", 0.25, new Usage(120, 30, 10, 5));
        ClaudeMessage n = message("team-a", "m2", MessagePhase.Failed);
        n.getStatus().setDurationMs(500L);
        metrics.runFinished(n, MessagePhase.Failed, "CliError", 0.5, new Usage(1, 2, 3, 4));

        assertEquals(1, registry.get(OperatorMetrics.MESSAGES_COMPLETED)
                .tags("namespace", "team-a", "phase", "Succeeded", "reason", "Succeeded").counter().count());
        assertEquals(1, registry.get(OperatorMetrics.MESSAGES_COMPLETED)
                .tags("namespace", "team-a", "phase", "Failed", "reason", "CliError").counter().count());
        var succeeded = registry.get(OperatorMetrics.MESSAGE_DURATION).tags("outcome", "Succeeded").timer();
        assertEquals(1, succeeded.count());
        assertEquals(2.5, succeeded.totalTime(TimeUnit.SECONDS), 1e-9);
        assertEquals(1, registry.get(OperatorMetrics.MESSAGE_DURATION).tags("outcome", "Failed").timer().count());
        assertEquals(0.75, registry.get(OperatorMetrics.COST).tags("namespace", "team-a").counter().count(), 1e-12);
        assertEquals(121, tokens("input"));
        assertEquals(32, tokens("output"));
        assertEquals(13, tokens("cache_creation"));
        assertEquals(9, tokens("cache_read"));
    }

    @Test
    void prometheusShowsTheDocumentedNamesAndHistogramBuckets() {
        // the registry the operator runs with, so the names asserted here are the ones the README lists
        var prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var onPrometheus = new OperatorMetrics(prometheus);
        ClaudeMessage m = message("team-a", "m1", MessagePhase.Succeeded);
        m.getStatus().setDurationMs(1500L);
        onPrometheus.countMessagesIn(List.of(m)::stream);
        onPrometheus.runFinished(m, MessagePhase.Succeeded, "Succeeded", 0.5, new Usage(1, 2, 3, 4));
        onPrometheus.sessionQueue("team-a", "chat", 2);
        onPrometheus.historyStoreOperations(List.of("record"));
        String scrape = prometheus.scrape();
        for (String line : List.of(
                "cso_messages{phase=\"Succeeded\",} 1.0",
                "cso_messages_completed_total{namespace=\"team-a\",phase=\"Succeeded\",reason=\"Succeeded\",} 1.0",
                "cso_message_duration_seconds_count{outcome=\"Succeeded\",} 1.0",
                "cso_message_duration_seconds_sum{outcome=\"Succeeded\",} 1.5",
                "cso_session_queue_length{namespace=\"team-a\",session=\"chat\",} 2.0",
                "cso_cost_usd_total{namespace=\"team-a\",} 0.5",
                "cso_tokens_total{namespace=\"team-a\",type=\"cache_read\",} 4.0",
                "cso_history_store_errors_total{operation=\"record\",} 0.0")) {
            assertTrue(scrape.contains(line + "\n"), () -> "missing " + line + " in\n" + scrape);
        }
        long buckets = scrape.lines().filter(l -> l.startsWith("cso_message_duration_seconds_bucket{")).count();
        assertTrue(buckets >= 10, "a histogram with buckets from 0.5 s to 2 h, got " + buckets);
        assertTrue(scrape.contains("cso_message_duration_seconds_bucket{outcome=\"Succeeded\",le=\"7200.0\",} 1.0"),
                scrape);
    }

    @Test
    void aRunWithoutADurationIsCountedButNotTimed() {
        metrics.runFinished(message("ns", "m1", MessagePhase.Failed), MessagePhase.Failed, "NoResult",
                0, new Usage(0, 0, 0, 0));
        assertEquals(1, registry.get(OperatorMetrics.MESSAGES_COMPLETED).tags("reason", "NoResult").counter().count());
        assertNull(registry.find(OperatorMetrics.MESSAGE_DURATION).timer());
    }

    @Test
    void aMessageEndingWithoutARunCountsOnlyItsOutcome() {
        metrics.endedWithoutRun(message("ns", "m1", null), MessagePhase.Cancelled, "JobDeleted");
        assertEquals(1, registry.get(OperatorMetrics.MESSAGES_COMPLETED)
                .tags("namespace", "ns", "phase", "Cancelled", "reason", "JobDeleted").counter().count());
        assertNull(registry.find(OperatorMetrics.COST).counter());
        assertNull(registry.find(OperatorMetrics.MESSAGE_DURATION).timer());
    }

    @Test
    void messagesAreCountedByPhaseFromTheCacheAtEachRead() {
        List<ClaudeMessage> cache = new ArrayList<>();
        metrics.countMessagesIn(cache::stream);
        ClaudeMessage fresh = message("ns", "fresh", null);
        fresh.setStatus(null);
        cache.addAll(List.of(fresh, message("ns", "no-phase", null), message("ns", "q", MessagePhase.Queued),
                message("other", "r", MessagePhase.Running), message("ns", "s1", MessagePhase.Succeeded),
                message("ns", "s2", MessagePhase.Succeeded)));
        assertEquals(2, phase("Pending"), "no status or no phase counts as Pending");
        assertEquals(1, phase("Queued"));
        assertEquals(1, phase("Running"));
        assertEquals(2, phase("Succeeded"));
        assertEquals(0, phase("Failed"));
        assertEquals(0, phase("Cancelled"));
        cache.remove(0);
        assertEquals(1, phase("Pending"));
    }

    @Test
    void theSessionQueueGaugeFollowsTheLastValueAndGoesWithTheSession() {
        metrics.sessionQueue("ns", "chat", 3);
        metrics.sessionQueue("ns", "other", 1);
        metrics.sessionQueue("ns", "chat", 2);
        assertEquals(2, registry.get(OperatorMetrics.SESSION_QUEUE_LENGTH).tags("namespace", "ns", "session", "chat").gauge().value());
        metrics.sessionDeleted("ns", "chat");
        assertNull(registry.find(OperatorMetrics.SESSION_QUEUE_LENGTH).tags("session", "chat").gauge());
        assertEquals(1, registry.get(OperatorMetrics.SESSION_QUEUE_LENGTH).tags("session", "other").gauge().value());
        metrics.sessionDeleted("ns", "never-seen"); // harmless
        metrics.sessionQueue("ns", "chat", 4); // a session of the same name, created again
        assertEquals(4, registry.get(OperatorMetrics.SESSION_QUEUE_LENGTH).tags("session", "chat").gauge().value());
    }

    @Test
    void historyStoreErrorsStartAtZeroPerOperation() {
        metrics.historyStoreOperations(List.of("record", "summary"));
        assertEquals(0, registry.get(OperatorMetrics.HISTORY_STORE_ERRORS).tags("operation", "record").counter().count());
        metrics.historyStoreError("summary");
        metrics.historyStoreError("summary");
        assertEquals(2, registry.get(OperatorMetrics.HISTORY_STORE_ERRORS).tags("operation", "summary").counter().count());
        assertEquals(0, registry.get(OperatorMetrics.HISTORY_STORE_ERRORS).tags("operation", "record").counter().count());
    }

    private double tokens(String type) {
        return registry.get(OperatorMetrics.TOKENS).tags("namespace", "team-a", "type", type).counter().count();
    }

    private double phase(String phase) {
        return registry.get(OperatorMetrics.MESSAGES).tags("phase", phase).gauge().value();
    }

    private static ClaudeMessage message(String namespace, String name, MessagePhase phase) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        ClaudeMessageStatus status = new ClaudeMessageStatus();
        status.setPhase(phase);
        m.setStatus(status);
        return m;
    }
}
