package dev.sessionops.claude.observability;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The operator's own metrics (README "Metrics and health"). Names are Micrometer names; Prometheus shows them with
 * underscores, counters with {@code _total} and the timer in {@code _seconds}.
 *
 * <p>Cardinality: the counters are tagged with the namespace (the unit teams, quotas and sharding use) but never with
 * the session or message name, which are unbounded and short-lived; a session's own cost and tokens are in its status.
 * The duration histogram (about 65 buckets per series) is tagged by outcome only, so its series do not grow with the
 * namespaces. The one per-session series, the queue length, is removed when the session is deleted. No tag carries a
 * prompt, a result or anything from a Secret.
 *
 * <p>Counting: {@link #runFinished} is called only when the history store newly recorded the completion (its applied
 * set makes a replay return false), and {@link #endedWithoutRun} only after the terminal status was written, which
 * the SDK's cache then shows, so no message is counted twice.
 */
@ApplicationScoped
public class OperatorMetrics {
    /** Gauge {phase}: ClaudeMessages in the operator's cache by phase (a message without a status counts as Pending). */
    public static final String MESSAGES = "cso.messages";
    /** Counter {namespace, phase, reason}: messages that reached Succeeded, Failed or Cancelled. */
    public static final String MESSAGES_COMPLETED = "cso.messages.completed";
    /** Timer {outcome}: how long finished runs took (the status' durationMs), as a histogram for quantiles. */
    public static final String MESSAGE_DURATION = "cso.message.duration";
    /** Gauge {namespace, session}: messages of a session waiting to run (neither running nor finished). */
    public static final String SESSION_QUEUE_LENGTH = "cso.session.queue.length";
    /** Counter {namespace}: USD spent by finished runs, as recorded in the sessions' totals. */
    public static final String COST = "cso.cost.usd";
    /** Counter {namespace, type}: tokens of finished runs; type is input, output, cache_read or cache_creation. */
    public static final String TOKENS = "cso.tokens";
    /** Counter {operation}: history store (Redis) calls that failed. */
    public static final String HISTORY_STORE_ERRORS = "cso.history.store.errors";

    public static final String TAG_NAMESPACE = "namespace";
    public static final String TAG_SESSION = "session";
    public static final String TAG_PHASE = "phase";
    public static final String TAG_REASON = "reason";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_TYPE = "type";
    public static final String TAG_OPERATION = "operation";

    // Runs take from under a second (a one-line answer) to the default 30 min timeout and beyond.
    static final Duration DURATION_MIN = Duration.ofMillis(500);
    static final Duration DURATION_MAX = Duration.ofHours(2);

    private final MeterRegistry registry;
    private final Map<List<String>, QueueGauge> queues = new ConcurrentHashMap<>();
    private volatile Supplier<Stream<ClaudeMessage>> messages;

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Reports the messages in phases from {@code cache} (the message controller's own informer cache), read at each
     * scrape: exact after restarts and replays, with nothing to keep in step at each transition.
     */
    public void countMessagesIn(Supplier<Stream<ClaudeMessage>> cache) {
        this.messages = cache;
        for (MessagePhase phase : MessagePhase.values()) {
            Gauge.builder(MESSAGES, this, m -> m.inPhase(phase))
                    .description("ClaudeMessages known to the operator, by phase")
                    .tags(TAG_PHASE, phase.name())
                    .strongReference(true)
                    .register(registry);
        }
    }

    /** A run whose completion the history store has just recorded for the first time, with its cost and tokens. */
    public void runFinished(ClaudeMessage message, MessagePhase phase, String reason, double costUsd, Usage usage) {
        String namespace = message.getMetadata().getNamespace();
        completed(namespace, phase, reason);
        Long durationMs = message.getStatus() == null ? null : message.getStatus().getDurationMs();
        if (durationMs != null) {
            Timer.builder(MESSAGE_DURATION)
                    .description("Duration of finished Claude runs")
                    .tags(TAG_OUTCOME, phase.name())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(DURATION_MIN)
                    .maximumExpectedValue(DURATION_MAX)
                    .register(registry)
                    .record(Duration.ofMillis(durationMs));
        }
        Counter.builder(COST).description("USD spent by finished Claude runs").baseUnit("usd")
                .tags(TAG_NAMESPACE, namespace).register(registry).increment(costUsd);
        tokens(namespace, "input", usage.getInputTokens());
        tokens(namespace, "output", usage.getOutputTokens());
        tokens(namespace, "cache_read", usage.getCacheReadInputTokens());
        tokens(namespace, "cache_creation", usage.getCacheCreationInputTokens());
    }

    /** A message that ended without a run (invalid spec, its Job deleted), after its terminal status was written. */
    public void endedWithoutRun(ClaudeMessage message, MessagePhase phase, String reason) {
        completed(message.getMetadata().getNamespace(), phase, reason);
    }

    /** The number of a session's messages waiting to run; registers the session's gauge on first use. */
    public void sessionQueue(String namespace, String session, long waiting) {
        queues.computeIfAbsent(List.of(namespace, session), k -> new QueueGauge(registry, namespace, session))
                .length.set(waiting);
    }

    /** The session is gone: its series goes too, so deleted sessions do not pile up in every scrape. */
    public void sessionDeleted(String namespace, String session) {
        QueueGauge gauge = queues.remove(List.of(namespace, session));
        if (gauge != null) {
            registry.remove(gauge.gauge);
        }
    }

    /** Registers the error counters of the history store's operations at zero, so a first error shows as an increase. */
    public void historyStoreOperations(List<String> operations) {
        operations.forEach(this::historyErrors);
    }

    public void historyStoreError(String operation) {
        historyErrors(operation).increment();
    }

    private void completed(String namespace, MessagePhase phase, String reason) {
        Counter.builder(MESSAGES_COMPLETED).description("ClaudeMessages that finished, by phase and reason")
                .tags(Tags.of(TAG_NAMESPACE, namespace, TAG_PHASE, phase.name(), TAG_REASON, reason))
                .register(registry).increment();
    }

    private void tokens(String namespace, String type, long count) {
        Counter.builder(TOKENS).description("Tokens used by finished Claude runs").baseUnit("tokens")
                .tags(TAG_NAMESPACE, namespace, TAG_TYPE, type).register(registry).increment(count);
    }

    private Counter historyErrors(String operation) {
        return Counter.builder(HISTORY_STORE_ERRORS).description("Failed calls to the history store (Redis)")
                .tags(TAG_OPERATION, operation).register(registry);
    }

    private double inPhase(MessagePhase phase) {
        Supplier<Stream<ClaudeMessage>> cache = messages;
        if (cache == null) {
            return 0;
        }
        return cache.get().filter(m -> phaseOf(m) == phase).count();
    }

    static MessagePhase phaseOf(ClaudeMessage m) {
        return m.getStatus() == null || m.getStatus().getPhase() == null ? MessagePhase.Pending : m.getStatus().getPhase();
    }

    private static final class QueueGauge {
        final AtomicLong length = new AtomicLong();
        final Gauge gauge;

        QueueGauge(MeterRegistry registry, String namespace, String session) {
            gauge = Gauge.builder(SESSION_QUEUE_LENGTH, length, AtomicLong::get)
                    .description("Messages of a session waiting to run")
                    .tags(TAG_NAMESPACE, namespace, TAG_SESSION, session)
                    .strongReference(true)
                    .register(registry);
        }
    }
}
