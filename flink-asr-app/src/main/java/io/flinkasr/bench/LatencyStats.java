package io.flinkasr.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Repeated timings of one thing, in seconds: their count, minimum, nearest-rank p50 and p95 (the smallest
 * sample with at least that share of the samples at or below it) and maximum, and the samples in the order
 * they were taken.
 */
public record LatencyStats(int runs, double min, double p50, double p95, double max, List<Double> seconds) {

    public LatencyStats {
        seconds = List.copyOf(seconds);
    }

    public static LatencyStats of(List<Double> seconds) {
        if (seconds.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        List<Double> sorted = new ArrayList<>(seconds);
        sorted.sort(Double::compare);
        return new LatencyStats(sorted.size(), sorted.get(0), percentile(sorted, 50), percentile(sorted, 95),
                sorted.get(sorted.size() - 1), seconds);
    }

    /** The nearest-rank percentile of ascending samples: the ceil(p/100 * n)-th smallest. */
    public static double percentile(List<Double> ascending, double p) {
        if (ascending.isEmpty() || !(p > 0) || p > 100) {
            throw new IllegalArgumentException("percentile " + p + " of " + ascending.size() + " samples");
        }
        int rank = (int) Math.ceil(p / 100.0 * ascending.size());
        return ascending.get(Math.max(1, rank) - 1);
    }

    /** The median as the nearest-rank p50 (for an even count, the lower of the middle two). */
    public static double median(List<Double> samples) {
        List<Double> sorted = new ArrayList<>(samples);
        sorted.sort(Double::compare);
        return percentile(sorted, 50);
    }
}
