package io.flinkasr.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.ApiClient;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.media.AudioDecoder;
import io.flinkasr.recognition.RecognizerMode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;

/**
 * One benchmark run, phase by phase, on the same inputs:
 * <ol>
 *   <li>the limit: raw Vosk on PCM decoded beforehand, the batch on N threads with one warm recognizer per
 *       thread (longest file first) and the naive way (a fresh recognizer per file), and the clip decoded
 *       whole by one thread;</li>
 *   <li>throughput: for each parallelism, raw Vosk warm on as many threads, then a local stack at that
 *       parallelism given the whole batch at once through the API, with the process's CPU;</li>
 *   <li>on the main stack: the long file alone in interleaved pairs (raw one thread, flink-asr), the clip on
 *       the idle warm stack, memory, and the clip again beside the long load.</li>
 * </ol>
 * Against a deployment the same, less CPU and memory, with raw Vosk on this machine.
 */
public final class BenchRun {
    static final Duration BATCH_POLL = Duration.ofMillis(200);
    static final Duration SINGLE_POLL = Duration.ofMillis(100);
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
    private static final double MIB = 1024.0 * 1024.0;
    private static final int CLIP_RAW_RUNS = 3;

    private final BenchSettings settings;
    private final PhaseLog log;
    private final List<String> notes = new ArrayList<>();
    private final Map<Integer, ThroughputRun> rawWarm = new LinkedHashMap<>();
    /** Raw Vosk's CPU per audio second in its own threads, by thread count. */
    private final Map<Integer, Double> rawVoskCpu = new HashMap<>();
    /** The local stack's Flink metrics for Prometheus (null for a deployment): where the audio heard is read. */
    private String flinkMetrics;
    private List<byte[]> batchPcm;

    public BenchRun(BenchSettings settings, PhaseLog log) {
        this.settings = settings;
        this.log = log;
    }

    public BenchResult run() throws Exception {
        BenchPlan plan = settings.plan();
        Machine machine = Machine.current();
        String date = LocalDateTime.now().format(DATE);
        RemoteDeployment remote = settings.remote();
        boolean local = remote == null;
        Path work = settings.outDir().toAbsolutePath().resolve("work");
        Path media = local ? work.resolve("media") : remote.mediaDir().toAbsolutePath();
        String ffmpeg = settings.stackConfig().get(AsrOptions.FFMPEG);
        int threads = settings.threads();
        log.line(String.format(Locale.ROOT, "flink-asr bench%s: %d cores, raw Vosk on %d threads, %s", plan.quick() ? " --quick" : "",
                machine.cores(), threads, local ? "local stacks at parallelism " + settings.stackOrder() : "the deployment at " + remote.apiUrl()));

        List<Recording> recordings = SpeechManifest.read(settings.speechDir());
        BenchInputs inputs = log.phase("inputs: recordings copied, longer files joined with ffmpeg",
                () -> BenchInputs.prepare(plan, recordings, media, work.resolve("pieces"), ffmpeg),
                i -> String.format(Locale.ROOT, "batch of %d jobs, %.0f s; long file %.0f s; load %.0f s; in %s",
                        i.batch().size(), i.batchSeconds(), i.longFile().seconds(), i.load().seconds(), media));
        Map<Path, byte[]> pcm = log.phase("PCM decoded for raw Vosk (not part of its time)", () -> decode(inputs, ffmpeg),
                m -> m.size() + " files");
        batchPcm = inputs.batch().stream().map(i -> pcm.get(i.file())).toList();
        double batchAudio = audioSeconds(batchPcm);
        byte[] clipPcm = pcm.get(inputs.clip().file());
        byte[] longPcm = pcm.get(inputs.longFile().file());
        double clipSeconds = clipPcm.length / (double) AudioDecoder.BYTES_PER_SECOND;
        double longSeconds = longPcm.length / (double) AudioDecoder.BYTES_PER_SECOND;

        List<BenchResult.Batch> batches = new ArrayList<>();
        ThroughputRun naive;
        LatencyStats clipRaw;
        Stages main = new Stages();
        try (RawVosk raw = log.phase("the model loaded, a recognizer warmed", () -> new RawVosk(settings.modelPath(), clipPcm), r -> null)) {
            clipRaw = log.phase("raw Vosk, 1 thread, the clip ×" + CLIP_RAW_RUNS, () -> {
                List<Double> s = new ArrayList<>();
                for (int i = 0; i < CLIP_RAW_RUNS; i++) {
                    s.add(raw.wholeFileSeconds(clipPcm));
                }
                return LatencyStats.of(s);
            }, s -> String.format(Locale.ROOT, "median %.2f s for %.1f s of audio", s.p50(), clipSeconds));
            naive = log.phase("raw Vosk naive (a fresh recognizer per file), " + threads + " threads",
                    () -> raw.batch(batchPcm, threads, RecognizerMode.FRESH), BenchRun::describe);

            if (local) {
                if (!settings.parallelisms().contains(threads)) {
                    warm(raw, threads);
                }
                for (int p : settings.stackOrder()) {
                    boolean isMain = p == settings.mainParallelism();
                    ThroughputRun warmAtP = warm(raw, p);
                    if (isMain) {
                        batchPcm = null; // the raw batches are done: their PCM would only weigh on the heap figures
                        pcm.keySet().retainAll(List.of(inputs.clip().file(), inputs.longFile().file()));
                    }
                    Path data = work.resolve("stack-p" + p);
                    deleteTree(data);
                    try (LocalStack stack = log.phase("local stack started at parallelism " + p,
                            () -> LocalStack.start(stackConfig(p, media), data, 0, null),
                            s -> "API " + s.apiUrl() + ", Flink web UI " + s.webUi())) {
                        IceJobs jobs = new IceJobs(new ApiClient(stack.apiUrl(), stack.accessKey()));
                        flinkMetrics = stack.flinkMetricsUrl();
                        warmUp(jobs, inputs);
                        if (isMain) {
                            main.heapFirst = heapAfterGcMib();
                            main.jobsFirst = jobs.submitted();
                        }
                        // the batch once on the fresh stack, not counted: a service runs warm for days
                        BenchResult.Batch fresh = batch(jobs, inputs, p, warmAtP, batchAudio, true, "on the fresh stack (not counted)");
                        notes.add(String.format(Locale.ROOT, "At parallelism %d the same batch ran once before, on the freshly started stack, and was "
                                + "not counted: %.1f s, efficiency %.2f%s. The JIT was still compiling and the recognizers' graph caches were "
                                + "cold; the counted batch ran on the warm stack.", p, fresh.pipeline().wallSeconds(), fresh.efficiency(),
                                fresh.cpuBeyondVosk() == null ? "" : String.format(Locale.ROOT, ", CPU %+.0f %% beyond Vosk", 100 * fresh.cpuBeyondVosk())));
                        batches.add(batch(jobs, inputs, p, warmAtP, batchAudio, true, "on the warm stack"));
                        if (isMain) {
                            mainStages(main, raw, jobs, inputs, plan, p, longPcm, longSeconds, clipSeconds, clipRaw, true);
                        }
                    } finally {
                        deleteTree(data);
                    }
                }
            } else {
                ThroughputRun warmAtThreads = warm(raw, threads);
                batchPcm = null;
                IceJobs jobs = new IceJobs(new ApiClient(remote.apiUrl(), remote.key()));
                warmUp(jobs, inputs);
                batches.add(batch(jobs, inputs, null, warmAtThreads, batchAudio, false, ""));
                mainStages(main, raw, jobs, inputs, plan, threads, longPcm, longSeconds, clipSeconds, clipRaw, false);
            }
        }

        notes.add("Raw Vosk decodes PCM that ffmpeg made beforehand (untimed); flink-asr's times include its own ffmpeg "
                + "decoding, chunking, Kafka and the checkpoint that makes a result visible.");
        notes.add(local
                ? "Local stack: Kafka, the Flink MiniCluster (JobManager and TaskManager) and the API run in this one JVM, "
                        + "so its CPU and memory are theirs together; CPU comes from /proc/self/stat (with ffmpeg children)."
                : "A deployment: its CPU and memory are out of reach and not measured; raw Vosk ran on this machine, "
                        + "so the efficiency compares the deployment with this machine's " + threads + " threads.");
        notes.add("Percentiles are nearest-rank; single jobs are polled every 100 ms, the batch every 200 ms.");
        if (plan.quick()) {
            notes.add("QUICK run: a smoke test with few samples; the targets are printed but the figures are too few to judge by.");
        }

        String model = settings.modelPath();
        BenchResult.Header header = new BenchResult.Header(date, machine.cores(), machine.cpuModel(), machine.memoryGib(),
                machine.java(), Machine.commit(), plan.quick(), local ? "local" : remote.apiUrl(), threads,
                local ? settings.mainParallelism() : null, model, Machine.folderMib(Path.of(model)), Machine.allocator());
        BenchResult.RawLimit rawLimit = new BenchResult.RawLimit(new ArrayList<>(rawWarm.values()), naive, clipRaw);
        return new BenchResult(header, log.times(), rawLimit, batches, main.longFile, main.latency, main.memory, notes);
    }

    /** What the main stack (or the deployment) measures beyond the batch. */
    private static final class Stages {
        double heapFirst;
        int jobsFirst;
        BenchResult.LongFile longFile;
        BenchResult.Latency latency;
        BenchResult.Memory memory;
    }

    private void mainStages(Stages main, RawVosk raw, IceJobs jobs, BenchInputs inputs, BenchPlan plan, int parallelism,
            byte[] longPcm, double longSeconds, double clipSeconds, LatencyStats clipRaw, boolean local) throws Exception {
        main.longFile = log.phase(plan.pairs() + " pair(s): the long file by raw Vosk in 1 thread, then alone through flink-asr", () -> {
            List<Double> rawTimes = new ArrayList<>();
            List<Double> pipelineTimes = new ArrayList<>();
            for (int i = 0; i < plan.pairs(); i++) {
                rawTimes.add(raw.wholeFileSeconds(longPcm));
                IceJobs.Outcome o = jobs.run(inputs.longFile().file(), "bench long file", SINGLE_POLL, Duration.ofMinutes(15));
                requireFinished(o);
                pipelineTimes.add(o.seconds());
                log.live(String.format(Locale.ROOT, "pair %d: raw %.1f s, flink-asr %.1f s", i + 1, rawTimes.get(i), o.seconds()));
            }
            return new BenchResult.LongFile(inputs.longFile().name(), longSeconds, rawTimes, pipelineTimes);
        }, l -> String.format(Locale.ROOT, "median ratio %.2f (raw %s s, flink-asr %s s)", l.medianRatio(), list(l.raw()), list(l.pipeline())));

        LatencyStats idle = log.phase(plan.idleClipRuns() + " clip runs on the idle warm stack", () -> {
            List<Double> s = new ArrayList<>();
            for (int i = 0; i < plan.idleClipRuns(); i++) {
                IceJobs.Outcome o = jobs.run(inputs.clip().file(), "bench clip", SINGLE_POLL, Duration.ofMinutes(5));
                requireFinished(o);
                s.add(o.seconds());
                log.live(String.format(Locale.ROOT, "clip %d/%d: %.2f s", i + 1, plan.idleClipRuns(), o.seconds()));
                Thread.sleep(500);
            }
            return LatencyStats.of(s);
        }, BenchRun::describe);

        if (local) {
            double rss = ProcessMemory.residentMib().orElse(Double.NaN);
            double peak = ProcessMemory.peakResidentMib().orElse(Double.NaN);
            double heap = heapAfterGcMib();
            main.memory = new BenchResult.Memory(parallelism, rss, peak, main.heapFirst, main.jobsFirst, heap, jobs.submitted());
            log.line(String.format(Locale.ROOT, "memory: VmRSS %.0f MiB (peak %.0f MiB), heap after GC %.0f MiB with %d jobs (%.0f MiB with %d)",
                    rss, peak, heap, jobs.submitted(), main.heapFirst, main.jobsFirst));
        }

        Loaded loaded = log.phase(plan.loadedClipRuns() + " clip runs beside a " + Math.round(inputs.load().seconds()) + " s input",
                () -> loaded(jobs, inputs, plan, parallelism), l -> l.stats == null ? "no run counted" : describe(l.stats)
                        + ", the long input submitted " + l.submissions + " time(s)");
        if (!local) {
            notes.add("The last long input (job " + loaded.lastJob + ") keeps running on the deployment.");
        } else {
            notes.add("The long input behind the loaded clip runs was submitted again whenever it finished before the runs did; "
                    + "the stack was closed with it unfinished.");
        }
        main.latency = new BenchResult.Latency(inputs.clip().name(), clipSeconds, clipRaw.p50(), idle, loaded.stats,
                inputs.load().name(), inputs.load().seconds(), loaded.submissions, loaded.discarded);
    }

    private static final class Loaded {
        LatencyStats stats;
        int submissions;
        int discarded;
        String lastJob;
    }

    private Loaded loaded(IceJobs jobs, BenchInputs inputs, BenchPlan plan, int parallelism) throws Exception {
        Loaded l = new Loaded();
        int busyAfter = 2 * parallelism;
        l.lastJob = startLoad(jobs, inputs, busyAfter);
        l.submissions = 1;
        List<Double> samples = new ArrayList<>();
        for (int attempt = 0; samples.size() < plan.loadedClipRuns() && attempt < 3 * plan.loadedClipRuns(); attempt++) {
            JsonNode load = jobs.job(l.lastJob);
            if (ended(load)) {
                if (!"Finished".equals(load.path("State").asText())) {
                    notes.add("A long input ended " + load.path("State").asText() + " " + load.path("ErrorCode").asText() + ".");
                }
                l.lastJob = startLoad(jobs, inputs, busyAfter);
                l.submissions++;
            }
            IceJobs.Outcome o = jobs.run(inputs.clip().file(), "bench clip beside a long job", SINGLE_POLL, Duration.ofMinutes(5));
            boolean stillLoaded = !ended(jobs.job(l.lastJob));
            if (o.finished() && stillLoaded) {
                samples.add(o.seconds());
            } else {
                l.discarded++;
                if (!o.finished()) {
                    notes.add("A clip beside the long input ended " + o.state() + (o.errorCode() == null ? "" : " " + o.errorCode()) + ".");
                }
            }
            log.live(String.format(Locale.ROOT, "clip %d/%d beside the long input: %.2f s%s", samples.size(), plan.loadedClipRuns(),
                    o.seconds(), stillLoaded ? "" : " (the long input had ended: not counted)"));
            Thread.sleep(1000);
        }
        l.stats = samples.isEmpty() ? null : LatencyStats.of(samples);
        return l;
    }

    /** Submits the long load and waits until its recognition is under way (chunks done on every recogniser, twice). */
    private String startLoad(IceJobs jobs, BenchInputs inputs, int chunksDone) throws Exception {
        String jobId = jobs.submit(inputs.load().file(), "bench load");
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = jobs.job(jobId);
            if (ended(job) || job.path("Progress").path("ChunksDone").asInt() >= chunksDone) {
                return jobId;
            }
            Thread.sleep(250);
        }
        notes.add("The long input reported fewer than " + chunksDone + " chunks done after 5 minutes.");
        return jobId;
    }

    private static boolean ended(JsonNode job) {
        String state = job.path("State").asText();
        return state.equals("Finished") || state.equals("Failed");
    }

    private ThroughputRun warm(RawVosk raw, int threads) throws Exception {
        ThroughputRun known = rawWarm.get(threads);
        if (known != null) {
            return known;
        }
        ThreadCpu before = ThreadCpu.now();
        ThroughputRun run = log.phase("raw Vosk warm (one recognizer per thread, reused), " + threads + " thread(s)",
                () -> raw.batch(batchPcm, threads, RecognizerMode.REUSED), BenchRun::describe);
        Map<String, Double> byThread = ThreadCpu.now().since(before);
        rawVoskCpu.put(threads, raw.lastThreadCpuSeconds() / run.audioSeconds());
        log.line(String.format(Locale.ROOT, "  raw Vosk's own threads: %.3f CPU s / audio s; the process's other threads: %s",
                rawVoskCpu.get(threads), ThreadCpu.describe(byThread, 6)));
        rawWarm.put(threads, run);
        return run;
    }

    /**
     * The clip, then the long file, through the API and not counted: a service runs for days, so what counts
     * is a warm stack (the JIT has compiled Flink's, Kafka's and our code; every recognizer has decoded
     * minutes of audio). A fresh stack's first batch cost a third more CPU than its second.
     */
    private void warmUp(IceJobs jobs, BenchInputs inputs) throws Exception {
        log.phase("warm-up: the clip, then the long file, through the API (not counted)", () -> {
            IceJobs.Outcome o = jobs.run(inputs.clip().file(), "bench warm-up", SINGLE_POLL, Duration.ofMinutes(5));
            requireFinished(o);
            requireFinished(jobs.run(inputs.longFile().file(), "bench warm-up", SINGLE_POLL, Duration.ofMinutes(15)));
            return o;
        }, o -> String.format(Locale.ROOT, "the clip took %.2f s", o.seconds()));
    }

    private BenchResult.Batch batch(IceJobs jobs, BenchInputs inputs, Integer parallelism, ThroughputRun warm, double audio, boolean local,
            String stack) throws Exception {
        String where = (parallelism == null ? "the deployment" : "parallelism " + parallelism) + (stack.isEmpty() ? "" : " " + stack);
        Double idleCores = !local ? null : log.phase("CPU of the idle stack", () -> idleCores(settings.quick() ? 5 : 10),
                c -> c == null ? "not measured" : String.format(Locale.ROOT, "%.2f cores", c));
        return log.phase("flink-asr batch at " + where + ": " + inputs.batch().size() + " jobs submitted at once", () -> {
            ThreadMXBean threadCpu = ManagementFactory.getThreadMXBean();
            ThreadCpu byThread0 = ThreadCpu.now();
            long client0 = threadCpu.getCurrentThreadCpuTime();
            double cpu0 = ProcessCpu.seconds().orElse(Double.NaN);
            double heard0 = local ? HeardAudio.seconds(flinkMetrics).orElse(Double.NaN) : Double.NaN;
            long t0 = System.nanoTime();
            Map<String, String> ids = new LinkedHashMap<>();
            for (BenchInput in : inputs.batch()) {
                ids.put(jobs.submit(in.file(), "bench " + in.name()), in.name());
            }
            Duration timeout = Duration.ofMinutes(settings.quick() ? 10 : 30);
            List<IceJobs.Outcome> outcomes = jobs.await(ids, t0, BATCH_POLL, timeout, (ended, failed, total, s) ->
                    log.live(String.format(Locale.ROOT, "batch: %d/%d ended%s, %.1f s", ended, total, failed > 0 ? " (" + failed + " failed)" : "", s)));
            double cpu = ProcessCpu.seconds().orElse(Double.NaN) - cpu0;
            double client = (threadCpu.getCurrentThreadCpuTime() - client0) / 1e9;
            if (local) {
                double heard = HeardAudio.seconds(flinkMetrics).orElse(Double.NaN) - heard0;
                recognitionThreads(ThreadCpu.now().since(byThread0), audio, heard, parallelism, where);
            }
            double wall = outcomes.stream().mapToDouble(IceJobs.Outcome::seconds).max().orElse(Double.NaN);
            List<IceJobs.Outcome> notFinished = outcomes.stream().filter(o -> !o.finished()).toList();
            boolean measured = local && !Double.isNaN(cpu);
            ThroughputRun run = new ThroughputRun(ThroughputRun.PIPELINE, parallelism, audio, wall, measured ? cpu - client : null);
            return new BenchResult.Batch(run, warm, ids.size(), measured ? client : null, idleCores, notFinished);
        }, b -> String.format(Locale.ROOT, "%.0f s of audio in %.1f s: %.1f audio s / wall s, efficiency %.2f%s%s", audio,
                b.pipeline().wallSeconds(), b.pipeline().speed(), b.efficiency(),
                b.cpuBeyondVosk() == null ? "" : String.format(Locale.ROOT, ", CPU %+.1f %% beyond Vosk", 100 * b.cpuBeyondVosk()),
                b.notFinished().isEmpty() ? ", all Finished" : ", " + b.notFinished().size() + " NOT Finished"));
    }

    /**
     * Vosk's CPU inside the pipeline: the recognition operator's task threads (Vosk decodes on them) against raw
     * Vosk's own threads on the same audio, and where the rest of the process's CPU went, by thread.
     */
    private void recognitionThreads(Map<String, Double> byThread, double audio, double heard, Integer parallelism, String where) {
        double recognition = byThread.getOrDefault(ThreadCpu.RECOGNITION, Double.NaN) / audio;
        Double raw = parallelism == null ? null : rawVoskCpu.get(parallelism);
        String line = String.format(Locale.ROOT, "The batch at %s: the recognition threads (Vosk and the operator around it) spent "
                + "%.3f CPU s per audio s%s%s. By thread: %s.", where, recognition,
                raw == null || raw.isNaN() ? "" : String.format(Locale.ROOT, ", %.2f x raw Vosk's own threads (%.3f)", recognition / raw, raw),
                Double.isNaN(heard) ? "" : String.format(Locale.ROOT, "; the recognizers heard %.0f s of audio for the batch's %.0f s"
                        + " (%+.1f %%: the context before each chunk, the overlaps at cuts that are no pause)", heard, audio, 100 * (heard / audio - 1)),
                ThreadCpu.describe(byThread, 8));
        log.line("  " + line);
        notes.add(line);
    }

    /** The process's CPU over {@code seconds} of doing nothing, in cores: what the idle stack costs. */
    private static Double idleCores(int seconds) throws InterruptedException {
        double cpu0 = ProcessCpu.seconds().orElse(Double.NaN);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double cores = (ProcessCpu.seconds().orElse(Double.NaN) - cpu0) / ((System.nanoTime() - t0) / 1e9);
        return Double.isNaN(cores) ? null : cores;
    }

    private Configuration stackConfig(int parallelism, Path media) {
        Configuration config = new Configuration(settings.stackConfig());
        config.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        if (!settings.stackConfig().contains(AsrOptions.TOPIC_PARTITIONS)) {
            config.set(AsrOptions.TOPIC_PARTITIONS, parallelism);
        }
        List<String> roots = new ArrayList<>(config.getOptional(AsrOptions.MEDIA_ROOTS).orElse(List.of()));
        roots.add(media.toString());
        config.set(AsrOptions.MEDIA_ROOTS, roots);
        return config;
    }

    private static Map<Path, byte[]> decode(BenchInputs inputs, String ffmpeg) throws Exception {
        AudioDecoder decoder = new AudioDecoder(ffmpeg, Duration.ofMinutes(5));
        Map<Path, byte[]> pcm = new HashMap<>();
        List<Path> files = Stream.concat(inputs.batch().stream().map(BenchInput::file),
                Stream.of(inputs.clip().file(), inputs.longFile().file())).distinct().toList();
        for (Path f : files) {
            pcm.put(f, decoder.decode(f, 0, 24 * 3600));
        }
        return pcm;
    }

    private void requireFinished(IceJobs.Outcome o) {
        if (!o.finished()) {
            throw new IllegalStateException("job " + o.jobId() + " (" + o.input() + ") ended " + o.state()
                    + (o.errorCode() == null ? "" : " " + o.errorCode()));
        }
    }

    private static double heapAfterGcMib() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MIB;
    }

    private static double audioSeconds(List<byte[]> pcm) {
        return pcm.stream().mapToDouble(b -> b.length / (double) AudioDecoder.BYTES_PER_SECOND).sum();
    }

    private static String describe(ThroughputRun r) {
        return String.format(Locale.ROOT, "%.0f s of audio in %.1f s: %.1f audio s / wall s%s", r.audioSeconds(), r.wallSeconds(), r.speed(),
                r.cpuPerAudioSecond() == null ? "" : String.format(Locale.ROOT, ", %.3f CPU s / audio s", r.cpuPerAudioSecond()));
    }

    private static String describe(LatencyStats s) {
        return String.format(Locale.ROOT, "p50 %.2f s, p95 %.2f s, max %.2f s over %d runs", s.p50(), s.p95(), s.max(), s.runs());
    }

    private static String list(List<Double> seconds) {
        return String.join(", ", seconds.stream().map(s -> String.format(Locale.ROOT, "%.1f", s)).toList());
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
