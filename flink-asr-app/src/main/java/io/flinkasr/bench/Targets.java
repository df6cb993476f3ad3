package io.flinkasr.bench;

import io.flinkasr.bench.TargetCheck.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The targets of issue 12, judged on one run's measurements. */
public final class Targets {
    public static final double MIN_EFFICIENCY = 0.90;
    public static final double MAX_CPU_BEYOND_VOSK = 0.10;
    /** The long file alone may take at most this much over a perfect split across the cores: (1/cores) * 1.1. */
    public static final double LONG_FILE_SLACK = 1.1;
    public static final double CLIP_IDLE_SLACK_SECONDS = 0.5;
    public static final double LOADED_P50_FACTOR = 2;
    public static final double LOADED_MAX_FACTOR = 3;
    public static final double MIB_PER_SLOT = 300;

    private Targets() {}

    public static List<TargetCheck> evaluate(BenchResult r) {
        List<TargetCheck> checks = new ArrayList<>();
        BenchResult.Header h = r.header();
        BenchResult.Batch batch = r.mainBatch();
        int parallelism = h.parallelism() != null ? h.parallelism() : h.threads();

        if (batch != null) {
            String where = batch.pipeline().parallelism() == null
                    ? "the deployment against raw Vosk on " + h.threads() + " threads of this machine"
                    : "parallelism " + batch.pipeline().parallelism()
                            + (batch.pipeline().parallelism() == h.cores() ? " = cores" : " (cores: " + h.cores() + ")");
            checks.add(new TargetCheck(
                    String.format(Locale.ROOT, "Throughput efficiency ≥ %.2f at parallelism = cores", MIN_EFFICIENCY),
                    String.format(Locale.ROOT, "%.2f (%.1f against %.1f audio s per wall s; %s)",
                            batch.efficiency(), batch.pipeline().speed(), batch.rawWarm().speed(), where),
                    Verdict.of(batch.efficiency() >= MIN_EFFICIENCY)));
            Double beyond = batch.cpuBeyondVosk();
            checks.add(beyond == null
                    ? new TargetCheck(cpuTarget(), "not measured (a remote deployment's CPU is out of reach)", Verdict.SKIPPED)
                    : new TargetCheck(cpuTarget(), String.format(Locale.ROOT, "%+.1f %%", 100 * beyond), Verdict.of(beyond <= MAX_CPU_BEYOND_VOSK)));
            int unfinished = batch.notFinished().size();
            checks.add(new TargetCheck("Every batch job ends Finished",
                    unfinished == 0 ? batch.jobs() + " of " + batch.jobs() : unfinished + " of " + batch.jobs() + " did not",
                    Verdict.of(unfinished == 0)));
        }

        if (r.longFile() != null) {
            double limit = LONG_FILE_SLACK / parallelism;
            checks.add(new TargetCheck(
                    String.format(Locale.ROOT, "One long file alone ≤ %.2f × raw single-thread time ((1/%d) × %.1f)", limit, parallelism, LONG_FILE_SLACK),
                    String.format(Locale.ROOT, "%.2f × (median of %d pairs; %.0f s of audio)", r.longFile().medianRatio(),
                            r.longFile().ratios().size(), r.longFile().audioSeconds()),
                    Verdict.of(r.longFile().medianRatio() <= limit)));
        }

        BenchResult.Latency l = r.latency();
        if (l != null) {
            double limit = l.rawOneThread() + CLIP_IDLE_SLACK_SECONDS;
            checks.add(new TargetCheck(
                    String.format(Locale.ROOT, "10 s clip, idle warm stack: p50 ≤ raw 1-thread decode + %.1f s (%.2f s)", CLIP_IDLE_SLACK_SECONDS, limit),
                    String.format(Locale.ROOT, "p50 %.2f s", l.idle().p50()),
                    Verdict.of(l.idle().p50() <= limit)));
            if (l.loaded() != null) {
                double p50Limit = LOADED_P50_FACTOR * l.idle().p50();
                double maxLimit = LOADED_MAX_FACTOR * l.idle().p50();
                checks.add(new TargetCheck(
                        String.format(Locale.ROOT, "10 s clip beside a one-hour job: p50 ≤ %.0f × idle p50 (%.2f s)", LOADED_P50_FACTOR, p50Limit),
                        String.format(Locale.ROOT, "p50 %.2f s", l.loaded().p50()),
                        Verdict.of(l.loaded().p50() <= p50Limit)));
                checks.add(new TargetCheck(
                        String.format(Locale.ROOT, "10 s clip beside a one-hour job: max ≤ %.0f × idle p50 (%.2f s)", LOADED_MAX_FACTOR, maxLimit),
                        String.format(Locale.ROOT, "max %.2f s", l.loaded().max()),
                        Verdict.of(l.loaded().max() <= maxLimit)));
            }
        }

        BenchResult.Memory m = r.memory();
        String memoryTarget = String.format(Locale.ROOT, "TaskManager RSS ≤ model + %.0f MiB per slot", MIB_PER_SLOT);
        if (m == null) {
            checks.add(new TargetCheck(memoryTarget, "not measured (a remote deployment)", Verdict.SKIPPED));
        } else {
            double limit = h.modelDiskMib() + MIB_PER_SLOT * m.slots();
            checks.add(new TargetCheck(
                    memoryTarget + String.format(Locale.ROOT, " (%.0f + %.0f × %d = %.0f MiB)", h.modelDiskMib(), MIB_PER_SLOT, m.slots(), limit),
                    String.format(Locale.ROOT, "%.0f MiB (VmRSS of the one JVM that holds Kafka, Flink and the API; model size = its folder on disk; "
                                    + "a TaskManager process alone: TaskManagerMemoryBenchmark)",
                            m.residentMib()),
                    Verdict.of(m.residentMib() <= limit)));
        }
        return checks;
    }

    private static String cpuTarget() {
        return String.format(Locale.ROOT, "Pipeline CPU beyond Vosk ≤ %.0f %%", 100 * MAX_CPU_BEYOND_VOSK);
    }
}
