package io.flinkasr.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkasr.bench.TargetCheck.Verdict;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of the bench command: percentiles, targets, the Markdown, the chart and the JSON. No timing. */
class BenchReportTest {
    static final BenchResult.Header LOCAL_TWO_CORES = new BenchResult.Header("2026-11-30 19:30", 2, "AMD EPYC 7B13", 23.4,
            "17.0.15 (OpenJDK 64-Bit Server VM)", "abc1234", false, "local", 2, 2, "/opt/model-en-us", 68, "jemalloc (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2)");
    static final BenchResult.Header DEPLOYMENT = new BenchResult.Header("2026-11-30 19:30", 2, "AMD EPYC 7B13", 23.4,
            "17.0.15", "unknown", false, "http://asr.example:8080/", 2, null, "/opt/model-en-us", 68, "glibc malloc");

    /** 960 s of audio in 30 s on 2 threads: 32 audio s per wall s, 0.0625 CPU s per audio s. */
    static final ThroughputRun RAW_WARM = new ThroughputRun(ThroughputRun.RAW_WARM, 2, 960, 30, 60.0);
    static final ThroughputRun RAW_NAIVE = new ThroughputRun(ThroughputRun.RAW_NAIVE, 2, 960, 45, 90.0);
    /** 30 audio s per wall s (efficiency 0.94), 64 CPU s (6.7 % beyond Vosk). */
    static final ThroughputRun PIPELINE_CLOSE_TO_RAW = new ThroughputRun(ThroughputRun.PIPELINE, 2, 960, 32, 64.0);
    /** 24 audio s per wall s (efficiency 0.75), 72 CPU s (20 % beyond Vosk). */
    static final ThroughputRun PIPELINE_SLOW = new ThroughputRun(ThroughputRun.PIPELINE, 2, 960, 40, 72.0);
    static final ThroughputRun DEPLOYMENT_BATCH = new ThroughputRun(ThroughputRun.PIPELINE, null, 960, 32, null);

    static final LatencyStats CLIP_RAW = LatencyStats.of(List.of(1.8, 1.7, 1.9));
    /** p50 2.0 s: within raw 1.8 s + 0.5 s. */
    static final LatencyStats IDLE = LatencyStats.of(List.of(2.1, 1.9, 2.0, 2.2, 1.95));
    /** p50 3.5 s (≤ 2 × 2.0), max 7 s (> 3 × 2.0). */
    static final LatencyStats LOADED_WITH_ONE_SLOW_RUN = LatencyStats.of(List.of(3.0, 3.5, 7.0, 3.2, 3.6));
    /** ratios 0.50, 0.55, 0.52: median 0.52 ≤ 0.55. */
    static final BenchResult.LongFile LONG_FILE_HALF_TIME = new BenchResult.LongFile("long.flac", 330, List.of(20.0, 22.0, 21.0), List.of(10.0, 12.1, 11.0));
    static final BenchResult.Latency LATENCY = new BenchResult.Latency("jfk.flac", 11, CLIP_RAW.p50(), IDLE, LOADED_WITH_ONE_SLOW_RUN,
            "load.flac", 3671, 2, 0);
    /** 1200 MiB resident with 2 slots: over 68 + 2 × 300 = 668 MiB. */
    static final BenchResult.Memory MEMORY_OVER = new BenchResult.Memory(2, 1200, 1400, 250, 1, 262, 60);

    static BenchResult run(BenchResult.Header header, ThroughputRun pipeline, List<IceJobs.Outcome> notFinished, BenchResult.Memory memory) {
        return new BenchResult(header,
                List.of(new BenchResult.PhaseTime("inputs", 12.5), new BenchResult.PhaseTime("batch", 33.0)),
                new BenchResult.RawLimit(List.of(RAW_WARM), RAW_NAIVE, CLIP_RAW),
                List.of(new BenchResult.Batch(pipeline, RAW_WARM, 30, pipeline.cpuSeconds() == null ? null : 0.4,
                        pipeline.cpuSeconds() == null ? null : 0.05, notFinished)),
                LONG_FILE_HALF_TIME, LATENCY, memory, List.of("a note"));
    }

    static Verdict verdict(List<TargetCheck> checks, String targetStart) {
        return checks.stream().filter(c -> c.target().startsWith(targetStart)).findFirst()
                .orElseThrow(() -> new AssertionError("no target " + targetStart + " in " + checks)).verdict();
    }

    @Test
    void percentilesAreNearestRank() {
        List<Double> oneToTwenty = IntStream.rangeClosed(1, 20).mapToObj(i -> (double) i).toList();
        LatencyStats twenty = LatencyStats.of(oneToTwenty);
        assertThat(twenty.p50()).isEqualTo(10.0);
        assertThat(twenty.p95()).isEqualTo(19.0);
        assertThat(twenty.min()).isEqualTo(1.0);
        assertThat(twenty.max()).isEqualTo(20.0);

        LatencyStats three = LatencyStats.of(List.of(3.0, 1.0, 2.0));
        assertThat(three.p50()).isEqualTo(2.0);
        assertThat(three.p95()).isEqualTo(3.0);
        assertThat(three.seconds()).containsExactly(3.0, 1.0, 2.0);
        assertThat(LatencyStats.of(List.of(4.0)).p95()).isEqualTo(4.0);
        assertThatThrownBy(() -> LatencyStats.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void derivedFigures() {
        BenchResult.Batch batch = new BenchResult.Batch(PIPELINE_CLOSE_TO_RAW, RAW_WARM, 30, 0.4, 0.05, List.of());
        assertThat(batch.efficiency()).isEqualTo(30.0 / 32.0);
        assertThat(batch.cpuBeyondVosk()).isCloseTo(64.0 / 60.0 - 1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(LONG_FILE_HALF_TIME.ratios()).hasSize(3);
        assertThat(LONG_FILE_HALF_TIME.medianRatio()).isCloseTo(11.0 / 21.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void targetsOfARunCloseToRaw() {
        List<TargetCheck> checks = Targets.evaluate(run(LOCAL_TWO_CORES, PIPELINE_CLOSE_TO_RAW, List.of(), MEMORY_OVER));
        assertThat(verdict(checks, "Throughput efficiency")).isEqualTo(Verdict.MET);
        assertThat(verdict(checks, "Pipeline CPU beyond Vosk")).isEqualTo(Verdict.MET);
        assertThat(verdict(checks, "Every batch job")).isEqualTo(Verdict.MET);
        assertThat(verdict(checks, "One long file alone ≤ 0.55")).isEqualTo(Verdict.MET);
        assertThat(verdict(checks, "10 s clip, idle")).isEqualTo(Verdict.MET);
        assertThat(verdict(checks, "10 s clip beside a one-hour job: p50")).isEqualTo(Verdict.MET);
        assertThat(verdict(checks, "10 s clip beside a one-hour job: max")).isEqualTo(Verdict.NOT_MET);
        assertThat(verdict(checks, "TaskManager RSS")).isEqualTo(Verdict.NOT_MET);
        assertThat(checks).hasSize(8);
    }

    @Test
    void targetsOfASlowRunWithAFailedJob() {
        IceJobs.Outcome failed = new IceJobs.Outcome("job-7", "joined-03.flac", "Failed", "Media.Corrupt", 12.0);
        List<TargetCheck> checks = Targets.evaluate(run(LOCAL_TWO_CORES, PIPELINE_SLOW, List.of(failed), MEMORY_OVER));
        assertThat(verdict(checks, "Throughput efficiency")).isEqualTo(Verdict.NOT_MET);
        assertThat(verdict(checks, "Pipeline CPU beyond Vosk")).isEqualTo(Verdict.NOT_MET);
        assertThat(verdict(checks, "Every batch job")).isEqualTo(Verdict.NOT_MET);
    }

    @Test
    void aDeploymentSkipsCpuAndMemory() {
        List<TargetCheck> checks = Targets.evaluate(run(DEPLOYMENT, DEPLOYMENT_BATCH, List.of(), null));
        assertThat(verdict(checks, "Pipeline CPU beyond Vosk")).isEqualTo(Verdict.SKIPPED);
        assertThat(verdict(checks, "TaskManager RSS")).isEqualTo(Verdict.SKIPPED);
        assertThat(verdict(checks, "Throughput efficiency")).isEqualTo(Verdict.MET);
    }

    @Test
    void markdownHasHeaderMeasurementsAndVerdicts() {
        BenchResult result = run(LOCAL_TWO_CORES, PIPELINE_CLOSE_TO_RAW, List.of(), MEMORY_OVER);
        String md = MarkdownReport.render(result, Targets.evaluate(result));
        assertThat(md).startsWith("# flink-asr benchmark, 2026-11-30 19:30\n");
        assertThat(md).contains("| machine | 2 cores, AMD EPYC 7B13, 23.4 GiB |", "| commit | abc1234 |",
                "| native allocator (Vosk's, raw and in the pipeline) | jemalloc (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2) |");
        assertThat(md).contains("| measurement | result | details |", "| target | measured | verdict |", "| phase | seconds |");
        assertThat(md).contains("raw Vosk warm, 2 threads", "32.0 audio s / wall s, 0.063 CPU s / audio s");
        assertThat(md).contains("30.0 audio s / wall s, efficiency 0.94", "+6.7 % beyond Vosk", "the idle stack alone used 0.05 cores");
        assertThat(md).contains("250 MiB with 1 job, 262 MiB with 60 jobs");
        assertThat(md).contains("p50 2.00 s, p95 2.20 s, max 2.20 s", "| **total** | 45.5 |", "- a note");
        assertThat(md).contains("**MET**", "**NOT MET**").doesNotContain("QUICK");
        assertThat(md.lines().filter(l -> l.startsWith("|")).allMatch(l -> l.endsWith("|"))).isTrue();
    }

    @Test
    void aQuickRunSaysSo() {
        BenchResult.Header quick = new BenchResult.Header("2026-11-30 19:30", 2, "cpu", 8, "17", "abc1234", true, "local", 2, 2, "/m", 68, "glibc malloc");
        BenchResult result = run(quick, PIPELINE_CLOSE_TO_RAW, List.of(), MEMORY_OVER);
        assertThat(MarkdownReport.render(result, Targets.evaluate(result))).contains("(QUICK: a smoke test", "QUICK (`--quick`)");
    }

    @Test
    void chartIsAPng(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("chart.png");
        BenchChart.write(run(LOCAL_TWO_CORES, PIPELINE_CLOSE_TO_RAW, List.of(), MEMORY_OVER), png);
        byte[] bytes = Files.readAllBytes(png);
        assertThat(Arrays.copyOf(bytes, 8)).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(BenchChart.WIDTH);
        assertThat(image.getHeight()).isEqualTo(BenchChart.HEIGHT);
    }

    @Test
    void outputWritesDatedAndLatestFiles(@TempDir Path tmp) throws Exception {
        BenchResult result = run(DEPLOYMENT, DEPLOYMENT_BATCH, List.of(), null);
        BenchOutput.Written w = BenchOutput.write(tmp, result, Targets.evaluate(result));
        assertThat(w.markdown().getFileName().toString()).isEqualTo("bench-2026-11-30-1930.md");
        assertThat(w.chart().getFileName().toString()).isEqualTo("bench-2026-11-30-1930.png");
        assertThat(Files.readString(w.latestMarkdown())).isEqualTo(Files.readString(w.markdown()));
        assertThat(Files.size(w.latestChart())).isEqualTo(Files.size(w.chart()));
        JsonNode json = new ObjectMapper().readTree(w.latestJson().toFile());
        assertThat(json.path("result").path("header").path("target").asText()).isEqualTo("http://asr.example:8080/");
        assertThat(json.path("result").path("batches").get(0).path("efficiency").asDouble()).isEqualTo(30.0 / 32.0);
        assertThat(json.path("result").path("batches").get(0).path("pipeline").path("audioSecondsPerWallSecond").asDouble()).isEqualTo(30.0);
        assertThat(json.path("result").path("memory").isNull()).isTrue();
        assertThat(json.path("targets").get(0).path("verdict").asText()).isEqualTo("MET");
    }

    @Test
    void procFilesAreRead() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 40 0 123 456 789";
        assertThat(ProcessCpu.parse(stat)).isEqualTo((250 + 50 + 7 + 3) / 100.0);
        if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/stat"))) { // another process's by its pid
            assertThat(ProcessCpu.seconds(ProcessHandle.current().pid())).isPresent();
            assertThat(ProcessCpu.seconds(Long.MAX_VALUE)).isEmpty();
            assertThat(Machine.allocator()).as("as /proc/self/maps shows it").matches("glibc malloc|(jemalloc|tcmalloc) \\(/.+\\)");
        }
        String status = "Name:\tjava\nVmHWM:\t  2097152 kB\nVmRSS:\t  1048576 kB\n";
        assertThat(ProcessMemory.parse(status, "VmRSS:")).isEqualTo(1024.0);
        assertThat(ProcessMemory.parse(status, "VmHWM:")).isEqualTo(2048.0);
    }

    @Test
    void joinedBatchInputsReachTheirLength() {
        List<Recording> recordings = List.of(
                new Recording(Path.of("a.flac"), 11, "a"), new Recording(Path.of("b.wav"), 35.5, "b"), new Recording(Path.of("c.wav"), 5.3, "c"));
        List<Recording> sequence = BenchInputs.shuffledUntil(recordings, 100, 1.0, new Random(1));
        double seconds = sequence.stream().mapToDouble(r -> r.seconds() + 1.0).sum();
        assertThat(seconds).isGreaterThanOrEqualTo(100).isLessThan(100 + 36.5);
        assertThat(BenchInputs.fingerprint(sequence, 1.0)).isEqualTo(BenchInputs.fingerprint(List.copyOf(sequence), 1.0))
                .isNotEqualTo(BenchInputs.fingerprint(sequence, 0.5));
    }
}
