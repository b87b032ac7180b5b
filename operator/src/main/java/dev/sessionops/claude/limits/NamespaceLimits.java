package dev.sessionops.claude.limits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.sessionops.claude.api.v1alpha1.Durations;

/**
 * A team's own limits, from annotations on its Namespace ({@code claude.sessionops.dev/max-budget-usd},
 * {@code …/max-turns}, {@code …/max-timeout}, {@code …/max-running}: runs at once in the namespace): a Namespace is cluster-scoped, so in a multi-tenant cluster only the
 * platform team annotates it, never the team whose runs it bounds. They can only tighten the operator's policy: a
 * value above the chart's ceiling leaves the chart's in force. A malformed value fails closed: every run of the
 * namespace is refused, naming the annotation, until it is fixed. Pure.
 */
public record NamespaceLimits(Optional<Double> maxBudgetUsd, Optional<Integer> maxTurns, Optional<Duration> maxTimeout,
        Optional<Integer> maxRunning, List<String> problems) {
    public static final String MAX_BUDGET_USD = "claude.sessionops.dev/max-budget-usd";
    public static final String MAX_TURNS = "claude.sessionops.dev/max-turns";
    public static final String MAX_TIMEOUT = "claude.sessionops.dev/max-timeout";
    public static final String MAX_RUNNING = "claude.sessionops.dev/max-running";
    public static final NamespaceLimits NONE = new NamespaceLimits(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), List.of());

    public NamespaceLimits {
        problems = List.copyOf(problems);
    }

    public static NamespaceLimits of(Map<String, String> annotations) {
        if (annotations == null || annotations.isEmpty()) {
            return NONE;
        }
        List<String> problems = new ArrayList<>();
        Optional<Double> budget = Optional.ofNullable(annotations.get(MAX_BUDGET_USD)).flatMap(v -> {
            try {
                double d = Double.parseDouble(v.strip());
                if (d > 0 && Double.isFinite(d)) {
                    return Optional.of(d);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.add(problem(MAX_BUDGET_USD, v, "a number of US dollars above 0"));
            return Optional.empty();
        });
        Optional<Integer> turns = count(annotations, MAX_TURNS, problems);
        Optional<Integer> running = count(annotations, MAX_RUNNING, problems);
        Optional<Duration> timeout = Optional.ofNullable(annotations.get(MAX_TIMEOUT)).flatMap(v -> {
            try {
                long seconds = Durations.parseSeconds(v.strip());
                if (seconds > 0) {
                    return Optional.of(Duration.ofSeconds(seconds));
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            problems.add(problem(MAX_TIMEOUT, v, "a duration such as 30m or 1h30m"));
            return Optional.empty();
        });
        return new NamespaceLimits(budget, turns, timeout, running, problems);
    }

    private static Optional<Integer> count(Map<String, String> annotations, String name, List<String> problems) {
        String v = annotations.get(name);
        if (v == null) {
            return Optional.empty();
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 1) {
                return Optional.of(n);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(problem(name, v, "a whole number of at least 1"));
        return Optional.empty();
    }

    private static String problem(String annotation, String value, String expected) {
        String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
        return "the namespace's annotation " + annotation + "=" + shown + " is not " + expected
                + " (no run here until it is fixed)";
    }
}
