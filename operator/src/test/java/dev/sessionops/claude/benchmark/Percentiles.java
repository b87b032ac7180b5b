package dev.sessionops.claude.benchmark;

import java.util.List;

/** Nearest-rank percentiles of a sample: the value below which {@code q} of the sample lies, one of the sample. */
final class Percentiles {
    private Percentiles() {
    }

    /** The {@code q}-quantile ({@code 0 < q <= 1}) of {@code values}, or null for an empty sample. */
    static Long of(List<Long> values, double q) {
        if (values.isEmpty()) {
            return null;
        }
        List<Long> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
    }
}
