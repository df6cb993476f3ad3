package io.flinkasr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.api.ApiClient;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import io.flinkasr.media.AudioDecoder;
import io.flinkasr.pipeline.SpeechSet;
import io.flinkasr.recognition.RecognizerMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * A focused benchmark: what Vosk costs inside the pipeline against raw Vosk, in one JVM, in interleaved rounds
 * (raw, pipeline, raw, pipeline, ...), so the machine's drift and the other load on it touch both alike. Raw:
 * the batch's PCM on as many threads as the pipeline's parallelism, one warm recognizer per thread, longest
 * first; its CPU is the threads' own. Pipeline: the same batch submitted at once to a warm local stack; its
 * CPU by thread from {@code /proc/self/task} (the recognition operator's task threads run Vosk), and the whole
 * process's with its ffmpeg children. Prints figures, asserts only that every job finished.
 *
 * <pre>mvn verify -Pbench -Dit.test=VoskCpuInPipelineBenchmark [-Dflinkasr.bench.rounds=3] [-Dasr.chunk.context-seconds=0]</pre>
 */
class VoskCpuInPipelineBenchmark {
    /** The recordings twice, and three joins of them of 90-150 s (cut into chunks): about 530 s of speech, 22 jobs. */
    private static final BenchPlan PLAN = new BenchPlan(true, 8, 2, List.of(90.0, 120.0, 150.0), 1, 60, 1, 1, 1);
    private static final int PARALLELISM = 2;
    private static final int IDLE_SECONDS = 10;

    @Test
    void vosksCpuPerAudioSecondInsideThePipelineAgainstRaw() throws Exception {
        int rounds = Integer.getInteger("flinkasr.bench.rounds", 3);
        Path work = Path.of("target/vosk-cpu").toAbsolutePath();
        BenchRun.deleteTree(work.resolve("stack"));
        Path media = work.resolve("media");
        List<Recording> recordings = SpeechManifest.read(SpeechSet.dir());
        BenchInputs inputs = BenchInputs.prepare(PLAN, recordings, media, work.resolve("pieces"), "ffmpeg");
        AudioDecoder decoder = new AudioDecoder("ffmpeg", Duration.ofMinutes(5));
        List<byte[]> pcm = new ArrayList<>();
        for (BenchInput in : inputs.batch()) {
            pcm.add(decoder.decode(in.file(), 0, 24 * 3600));
        }
        double audio = pcm.stream().mapToDouble(b -> b.length / (double) AudioDecoder.BYTES_PER_SECOND).sum();
        System.out.printf(Locale.ROOT, "%d jobs, %.0f s of audio; %d rounds of (raw on %d threads, pipeline at parallelism %d)%n",
                inputs.batch().size(), audio, rounds, PARALLELISM, PARALLELISM);

        Configuration config = TestStacks.atParallelismTwo(media);
        String model = config.get(io.flinkasr.config.AsrOptions.MODEL_PATH);
        List<double[]> ratios = new ArrayList<>();
        try (RawVosk raw = new RawVosk(model, pcm.stream().min(java.util.Comparator.comparingInt(b -> b.length)).orElseThrow());
                LocalStack stack = LocalStack.start(config, work.resolve("stack"), 0, null)) {
            IceJobs jobs = new IceJobs(new ApiClient(stack.apiUrl(), stack.accessKey()));
            raw.batch(pcm, PARALLELISM, RecognizerMode.REUSED); // warm: the JIT, the recognizers' graph caches
            pipeline(jobs, inputs, audio, "warm-up");
            ThreadCpu idle0 = ThreadCpu.now();
            Thread.sleep(IDLE_SECONDS * 1000L);
            Map<String, Double> idle = ThreadCpu.now().since(idle0);
            System.out.printf(Locale.ROOT, "the idle stack over %d s: %.2f cores; by thread: %s%n", IDLE_SECONDS,
                    idle.values().stream().mapToDouble(Double::doubleValue).sum() / IDLE_SECONDS, ThreadCpu.describe(idle, 10));
            for (int round = 1; round <= rounds; round++) {
                ThroughputRun r = raw.batch(pcm, PARALLELISM, RecognizerMode.REUSED);
                double rawOwn = raw.lastThreadCpuSeconds() / audio;
                System.out.printf(Locale.ROOT, "round %d raw:      %.3f CPU s / audio s in its threads, %.3f the process's; %.1f s wall; load %s%n",
                        round, rawOwn, r.cpuPerAudioSecond(), r.wallSeconds(), load());
                double[] p = pipeline(jobs, inputs, audio, "round " + round);
                ratios.add(new double[] {p[0] / rawOwn, p[1] / rawOwn});
            }
        } finally {
            BenchRun.deleteTree(work.resolve("stack"));
        }
        for (int i = 0; i < ratios.size(); i++) {
            System.out.printf(Locale.ROOT, "round %d: recognition threads %.2f x raw Vosk's threads; the whole process %.2f x%n",
                    i + 1, ratios.get(i)[0], ratios.get(i)[1]);
        }
    }

    /** The batch through the API; returns {recognition threads' CPU, the process's CPU} per audio second. */
    private static double[] pipeline(IceJobs jobs, BenchInputs inputs, double audio, String label) throws Exception {
        ThreadCpu threads0 = ThreadCpu.now();
        double cpu0 = ProcessCpu.seconds().orElse(Double.NaN);
        long t0 = System.nanoTime();
        Map<String, String> ids = new LinkedHashMap<>();
        for (BenchInput in : inputs.batch()) {
            ids.put(jobs.submit(in.file(), "vosk-cpu " + in.name()), in.name());
        }
        List<IceJobs.Outcome> outcomes = jobs.await(ids, t0, Duration.ofMillis(500), Duration.ofMinutes(20), (e, f, t, s) -> {});
        double cpu = ProcessCpu.seconds().orElse(Double.NaN) - cpu0;
        Map<String, Double> byThread = ThreadCpu.now().since(threads0);
        double wall = (System.nanoTime() - t0) / 1e9;
        assertThat(outcomes).allSatisfy(o -> assertThat(o.finished()).as(o.input()).isTrue());
        double recognition = byThread.getOrDefault(ThreadCpu.RECOGNITION, Double.NaN) / audio;
        System.out.printf(Locale.ROOT, "%s pipeline: %.3f CPU s / audio s in the recognition threads, %.3f the process's (ffmpeg included); "
                + "%.1f s wall; load %s; by thread: %s%n", label, recognition, cpu / audio, wall, load(), ThreadCpu.describe(byThread, 10));
        return new double[] {recognition, cpu / audio};
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
