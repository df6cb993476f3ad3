package io.flinkasr.bench;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The run as Markdown: a header, one table of measurements, the targets with MET / NOT MET, the phases. */
public final class MarkdownReport {
    private MarkdownReport() {}

    public static String render(BenchResult r, List<TargetCheck> checks) {
        BenchResult.Header h = r.header();
        StringBuilder md = new StringBuilder();
        md.append("# flink-asr benchmark, ").append(h.date());
        if (h.quick()) {
            md.append(" (QUICK: a smoke test, too small to judge by)");
        }
        md.append("\n\n");
        md.append("| | |\n| --- | --- |\n");
        row(md, "date", h.date());
        row(md, "machine", String.format(Locale.ROOT, "%d cores, %s, %.1f GiB", h.cores(), h.cpuModel(), h.memoryGib()));
        row(md, "Java", h.java());
        row(md, "commit", h.commit());
        row(md, "run", h.quick() ? "QUICK (`--quick`)" : "default");
        row(md, "measured", h.local()
                ? "the local stack: Kafka, the Flink job on a MiniCluster and the API, all in this one JVM"
                : "the deployment at " + h.target() + "; raw Vosk on this machine");
        row(md, "model", String.format(Locale.ROOT, "%s (%.0f MiB on disk)", h.model(), h.modelDiskMib()));
        row(md, "raw Vosk threads", String.valueOf(h.threads()));
        row(md, "native allocator (Vosk's, raw and in the pipeline)", h.allocator());
        md.append('\n');

        md.append("## Measurements\n\n");
        md.append("| measurement | result | details |\n| --- | --- | --- |\n");
        BenchResult.RawLimit raw = r.raw();
        for (ThroughputRun w : raw.warm()) {
            measurement(md, "raw Vosk warm, " + threads(w.parallelism()) + " (one recognizer per thread, reused)",
                    speedAndCpu(w), String.format(Locale.ROOT, "%.0f s of audio in %.1f s, longest file first", w.audioSeconds(), w.wallSeconds()));
        }
        if (raw.naive() != null) {
            ThroughputRun n = raw.naive();
            measurement(md, "raw Vosk naive, " + threads(n.parallelism()) + " (a fresh recognizer per file)", speedAndCpu(n),
                    String.format(Locale.ROOT, "%.0f s of audio in %.1f s", n.audioSeconds(), n.wallSeconds()));
        }
        if (r.latency() != null) {
            measurement(md, String.format(Locale.ROOT, "raw Vosk 1 thread, the clip (%s, %.0f s)", r.latency().clip(), r.latency().clipSeconds()),
                    seconds(raw.clipOneThread().p50()), "median of " + raw.clipOneThread().runs() + ", a warm recognizer, PCM decoded beforehand");
        }
        if (r.longFile() != null) {
            measurement(md, String.format(Locale.ROOT, "raw Vosk 1 thread, the long file (%.0f s)", r.longFile().audioSeconds()),
                    seconds(LatencyStats.median(r.longFile().raw())), "median of " + r.longFile().raw().size() + " (the pairs below)");
        }
        for (BenchResult.Batch b : r.batches()) {
            ThroughputRun p = b.pipeline();
            String at = p.parallelism() == null ? "the deployment" : "parallelism " + p.parallelism();
            String ended = b.notFinished().isEmpty() ? "all Finished"
                    : b.notFinished().size() + " not Finished: " + b.notFinished().stream()
                            .map(o -> o.input() + " " + o.state() + (o.errorCode() == null ? "" : " " + o.errorCode()))
                            .collect(Collectors.joining(", "));
            measurement(md, String.format(Locale.ROOT, "flink-asr batch, %s (%d jobs, %.0f s of audio, submitted at once)", at, b.jobs(), p.audioSeconds()),
                    String.format(Locale.ROOT, "%.1f audio s / wall s, efficiency %.2f", p.speed(), b.efficiency()),
                    String.format(Locale.ROOT, "first submit → last Finished %.1f s; against raw warm on %s: %.1f; %s",
                            p.wallSeconds(), threads(b.rawWarm().parallelism()), b.rawWarm().speed(), ended));
            if (p.cpuSeconds() != null) {
                measurement(md, "flink-asr CPU during that batch, " + at,
                        String.format(Locale.ROOT, "%.3f CPU s / audio s, %+.1f %% beyond Vosk", p.cpuPerAudioSecond(), 100 * b.cpuBeyondVosk()),
                        String.format(Locale.ROOT, "%.1f CPU s (this JVM and its ffmpeg children, /proc/self/stat) after taking out %.1f s of this benchmark's own submitting and polling; raw warm: %.1f CPU s for the same audio",
                                p.cpuSeconds(), b.clientCpuSeconds() == null ? 0 : b.clientCpuSeconds(), b.rawWarm().cpuPerAudioSecond() * p.audioSeconds())
                                + (b.idleStackCores() == null ? "" : String.format(Locale.ROOT,
                                        "; the idle stack alone used %.2f cores just before, %.1f CPU s over the batch's wall time",
                                        b.idleStackCores(), b.idleStackCores() * p.wallSeconds())));
            }
        }
        if (r.longFile() != null) {
            BenchResult.LongFile l = r.longFile();
            measurement(md, String.format(Locale.ROOT, "one long file alone (%s, %.0f s), submit → Finished", l.input(), l.audioSeconds()),
                    String.format(Locale.ROOT, "%s, %.2f × raw 1 thread", seconds(LatencyStats.median(l.pipeline())), l.medianRatio()),
                    "pairs (raw, flink-asr): " + pairs(l));
        }
        BenchResult.Latency lat = r.latency();
        if (lat != null) {
            measurement(md, String.format(Locale.ROOT, "the clip (%s), submit → Finished, %s", lat.clip(), h.local() ? "idle warm stack" : "idle deployment"),
                    stats(lat.idle()), lat.idle().runs() + " runs one after another, polled every 100 ms");
            if (lat.loaded() != null) {
                measurement(md, String.format(Locale.ROOT, "the clip beside a %.0f s input being recognised", lat.loadSeconds()),
                        stats(lat.loaded()),
                        String.format(Locale.ROOT, "%d runs, 1 s apart; the long input submitted %s%s", lat.loaded().runs(), lat.loadSubmissions() == 1 ? "once" : lat.loadSubmissions() + " times",
                                lat.discarded() > 0 ? ", " + lat.discarded() + " run(s) not counted (the load had ended)" : ""));
            }
        }
        BenchResult.Memory m = r.memory();
        if (m != null) {
            measurement(md, "resident memory (VmRSS) of the stack's JVM, " + m.slots() + " slots",
                    String.format(Locale.ROOT, "%.0f MiB (peak %.0f MiB)", m.residentMib(), m.peakResidentMib()),
                    "one JVM holds Kafka, the Flink JobManager and TaskManager and the API; the peak includes the raw Vosk phases");
            measurement(md, "the model on disk", String.format(Locale.ROOT, "%.0f MiB", h.modelDiskMib()),
                    "stands in for its size in memory");
            measurement(md, "heap in use after a full GC, by jobs the API knows",
                    String.format(Locale.ROOT, "%.0f MiB with %s, %.0f MiB with %s", m.heapAfterGcFirstMib(), jobs(m.jobsFirst()), m.heapAfterGcMib(), jobs(m.jobsKnown())),
                    "the whole JVM's heap (the API shares it with Kafka and Flink) and this benchmark's PCM buffers");
        }
        md.append('\n');

        md.append("## Targets\n\n| target | measured | verdict |\n| --- | --- | --- |\n");
        for (TargetCheck c : checks) {
            md.append("| ").append(cell(c.target())).append(" | ").append(cell(c.measured())).append(" | **")
                    .append(c.verdict().label()).append("** |\n");
        }
        md.append('\n');

        md.append("## Phases\n\n| phase | seconds |\n| --- | --- |\n");
        double total = 0;
        for (BenchResult.PhaseTime p : r.phases()) {
            md.append("| ").append(cell(p.phase())).append(" | ").append(String.format(Locale.ROOT, "%.1f", p.seconds())).append(" |\n");
            total += p.seconds();
        }
        md.append("| **total** | ").append(String.format(Locale.ROOT, "%.1f", total)).append(" |\n");

        if (!r.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            for (String note : r.notes()) {
                md.append("- ").append(note).append('\n');
            }
        }
        return md.toString();
    }

    private static String pairs(BenchResult.LongFile l) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(l.raw().size(), l.pipeline().size()); i++) {
            if (i > 0) {
                b.append("; ");
            }
            b.append(String.format(Locale.ROOT, "%.1f s, %.1f s", l.raw().get(i), l.pipeline().get(i)));
        }
        return b.toString();
    }

    private static String jobs(int n) {
        return n == 1 ? "1 job" : n + " jobs";
    }

    private static String threads(Integer n) {
        return n == null ? "? threads" : n == 1 ? "1 thread" : n + " threads";
    }

    private static String speedAndCpu(ThroughputRun run) {
        String speed = String.format(Locale.ROOT, "%.1f audio s / wall s", run.speed());
        return run.cpuPerAudioSecond() == null ? speed
                : speed + String.format(Locale.ROOT, ", %.3f CPU s / audio s", run.cpuPerAudioSecond());
    }

    private static String stats(LatencyStats s) {
        return String.format(Locale.ROOT, "p50 %.2f s, p95 %.2f s, max %.2f s", s.p50(), s.p95(), s.max());
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.2f s", s);
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(cell(name)).append(" | ").append(cell(value)).append(" |\n");
    }

    private static void measurement(StringBuilder md, String name, String result, String details) {
        md.append("| ").append(cell(name)).append(" | ").append(cell(result)).append(" | ").append(cell(details)).append(" |\n");
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
