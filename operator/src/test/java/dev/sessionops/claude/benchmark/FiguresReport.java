package dev.sessionops.claude.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints the figures as they come (to stdout, which the Maven build shows) and keeps them for
 * {@code target/benchmark/figures.txt}. Each figure of the operator stands next to the bare client's and their
 * ratio (operator ÷ floor: above 1 is slower or costlier for latencies and requests, below 1 is slower for
 * throughput). Figures only: nothing here passes or fails.
 */
final class FiguresReport {
    private static final List<String> VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete");
    private final StringBuilder text = new StringBuilder();

    void line(String line) {
        System.out.println(line);
        System.out.flush();
        text.append(line).append('\n');
    }

    void scenario(String title, SideFigures operator, SideFigures bare, OperatorFootprint footprint) {
        line("");
        line(title);
        line(String.format("  %-36s %12s %12s %8s", "", "operator", "bare floor", "ratio"));
        row("dispatch latency p50 (ms)", operator.dispatchP(0.50), bare.dispatchP(0.50));
        row("dispatch latency p99 (ms)", operator.dispatchP(0.99), bare.dispatchP(0.99));
        row("dispatch latency max (ms)", operator.dispatchP(1), bare.dispatchP(1));
        row("recording latency p50 (ms)", operator.recordingP(0.50), bare.recordingP(0.50));
        row("recording latency p99 (ms)", operator.recordingP(0.99), bare.recordingP(0.99));
        row("recording latency max (ms)", operator.recordingP(1), bare.recordingP(1));
        row("throughput (messages/s)", operator.throughput(), bare.throughput());
        row("API requests per message", operator.requestsPerMessage(), bare.requestsPerMessage());
        for (String verb : VERBS) {
            row("  " + verb, operator.verbPerMessage(verb), bare.verbPerMessage(verb));
        }
        row("Redis round trips per message", operator.redisPerMessage(), null);
        line("  operator requests per message by resource: " + perMessage(operator.requests().byResource(),
                operator.messages()));
        line("  operator Redis round trips per message by command: " + perMessage(operator.redisCalls(),
                operator.messages()));
        line(String.format("  samples: %d messages each side, %d / %d dispatches, elapsed %.1f s / %.1f s;"
                + " not recorded: %d / %d", operator.messages(), operator.dispatch().size(), bare.dispatch().size(),
                operator.elapsedMs() / 1000.0, bare.elapsedMs() / 1000.0, operator.failures(), bare.failures()));
        line("  operator after the run: " + footprint.describe());
    }

    /** The operator with the held load (c) against itself in an empty namespace (b), the same S × M. */
    void heldVersusEmpty(SideFigures held, SideFigures empty) {
        line("");
        line("(c) ÷ (b): the operator with the load held against an empty namespace, the same sessions × messages");
        line(String.format("  %-36s %12s %12s %8s", "", "held (c)", "empty (b)", "ratio"));
        row("dispatch latency p50 (ms)", held.dispatchP(0.50), empty.dispatchP(0.50));
        row("dispatch latency p99 (ms)", held.dispatchP(0.99), empty.dispatchP(0.99));
        row("recording latency p50 (ms)", held.recordingP(0.50), empty.recordingP(0.50));
        row("throughput (messages/s)", held.throughput(), empty.throughput());
    }

    void footprint(String when, OperatorFootprint footprint) {
        line("");
        line("operator " + when + ": " + footprint.describe());
    }

    void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void row(String name, Number operator, Number bare) {
        String ratio = operator == null || bare == null || bare.doubleValue() == 0 ? "—"
                : String.format("%.2f", operator.doubleValue() / bare.doubleValue());
        line(String.format("  %-36s %12s %12s %8s", name, format(operator), format(bare), ratio));
    }

    private static String format(Number n) {
        if (n == null) {
            return "—";
        }
        return n instanceof Long || n instanceof Integer ? String.valueOf(n) : String.format("%.2f", n.doubleValue());
    }

    private static String perMessage(Map<String, Long> counts, int messages) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format("%s %.2f", e.getKey(), (double) e.getValue() / messages))
                .collect(Collectors.joining(", "));
    }
}
