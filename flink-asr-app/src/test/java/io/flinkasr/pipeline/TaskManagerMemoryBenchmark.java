package io.flinkasr.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.bench.BenchInput;
import io.flinkasr.bench.BenchInputs;
import io.flinkasr.bench.BenchPlan;
import io.flinkasr.bench.Recording;
import io.flinkasr.cli.JobMain;
import io.flinkasr.cluster.AsrClusterSettings;
import io.flinkasr.cluster.FlinkProcessCluster;
import io.flinkasr.cluster.JavaProcess;
import io.flinkasr.cluster.JobJars;
import io.flinkasr.cluster.KafkaBrokerMain;
import io.flinkasr.cluster.ModelFootprint;
import io.flinkasr.cluster.ResidentMemory;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.testing.FreePorts;
import io.flinkasr.workflow.JobTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident memory of a real TaskManager process running the job, against issue 12's target: TaskManager
 * RSS <= the model + 300 MiB per slot. One JobManager and one TaskManager ({@link FlinkProcessCluster}) with
 * the slots and the {@code taskmanager.memory.*} settings of the shipped {@code flink-conf/config.yaml} (so
 * what is measured is what operators run), SharedVoskModel in the lib jar and jemalloc preloaded as the
 * image runs them (where Debian's libjemalloc2 is installed; {@code
 * -Dflinkasr.cluster.containerized.taskmanager.env.LD_PRELOAD=} measures glibc with MALLOC_ARENA_MAX=2), a
 * Kafka broker process, the API in this JVM.
 *
 * <p>Load: the {@code ./flink-asr bench} batch (the shared recordings and longer files joined from them) with
 * its one-hour input at the same time, submitted at once; every job must end Finished. The TaskManager's VmRSS
 * is sampled every 250 ms; printed: idle (no job), after a warm-up clip, the peak (VmHWM) and after the load, and
 * at the end the JVM's own accounting (Native Memory Tracking: heap, metaspace, threads, ...), the rest of the
 * resident memory being native allocations outside the JVM, mostly Vosk's. The model's share is measured in a
 * JVM of its own ({@link ModelFootprint}). Asserts only that the jobs finish; prints the target met or not.
 *
 * <p>Run with {@code mvn verify -Pbench -Dit.test=TaskManagerMemoryBenchmark}.
 * Another TaskManager memory setting: {@code -Dflinkasr.cluster.taskmanager.memory.process.size=1g} (any Flink
 * key, see {@link AsrClusterSettings#EXTRA_SETTING}).
 */
class TaskManagerMemoryBenchmark {
    private static final Path SHIPPED_CONFIG = Path.of("flink-conf");
    private static final double MIB_PER_SLOT = 300;

    @TempDir Path tmp;

    @Test
    void aTaskManagersResidentMemoryUnderFullLoad() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        String ffmpeg = new Configuration().get(AsrOptions.FFMPEG);
        List<Recording> recordings = SpeechSet.load().stream()
                .map(r -> new Recording(r.file(), r.seconds(), r.transcript())).toList();
        BenchInputs inputs = BenchInputs.prepare(BenchPlan.DEFAULT, recordings, media, tmp.resolve("pieces"), ffmpeg);
        Footprint model = modelFootprint(logs, ffmpeg);

        Configuration shipped = GlobalConfiguration.loadConfiguration(SHIPPED_CONFIG.toAbsolutePath().toString());
        int slots = shipped.get(org.apache.flink.configuration.TaskManagerOptions.NUM_TASK_SLOTS);
        // the shipped TaskManager's memory and JVM options, then the cluster tests' settings (and any
        // -Dflinkasr.cluster.KEY=VALUE) over them
        Map<String, String> settings = new LinkedHashMap<>(onlyTaskManagerMemory(shipped.toMap()));
        settings.putAll(AsrClusterSettings.flink("2 s"));
        Map<String, String> memorySettings = onlyTaskManagerMemory(settings);
        Path gcLog = logs.resolve("taskmanager-gc.log");
        settings.merge("env.java.opts.taskmanager", "-XX:NativeMemoryTracking=summary -Xlog:gc:file=" + gcLog,
                (shippedOptions, measuring) -> shippedOptions + " " + measuring);

        int kafkaPort = FreePorts.one();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        try (JavaProcess kafka = KafkaBrokerMain.startProcess(tmp.resolve("kafka"), kafkaPort, logs.resolve("kafka.log"))) {
            Configuration asr = new Configuration();
            asr.set(AsrOptions.BOOTSTRAP_SERVERS, bootstrap);
            asr.set(AsrOptions.TOPIC_PARTITIONS, slots);
            JobTopics.ensureExist(asr);
            Path lib = AsrClusterSettings.voskLibJar(tmp.resolve("flink-asr-vosk.jar"));
            try (FlinkProcessCluster cluster = FlinkProcessCluster.start(tmp.resolve("cluster"), 1, slots, settings, List.of(lib))) {
                long tm = cluster.taskManagerPid(0);
                double idle = ResidentMemory.mebibytes(tm);
                JobID flinkJob = cluster.submitJar(JobJars.JOB_JAR, JobMain.class.getName(), List.of(
                        "--bootstrap-servers", bootstrap,
                        "--model", System.getProperty("flinkasr.model.path"),
                        "--media-root", media.toString(),
                        "-D" + AsrOptions.TOPIC_PARTITIONS.key() + "=" + slots), slots);
                cluster.awaitSubtasks(flinkJob, Duration.ofMinutes(3), s -> s.stream().allMatch(FlinkProcessCluster.Subtask::running));

                try (ApiInThisJvm inThisJvm = ApiInThisJvm.start(asr, tmp.resolve("users.json"))) {
                    AsrApi api = inThisJvm.api();
                    api.await(api.submit(inputs.clip().file().toString()), Duration.ofMinutes(2));
                    double warm = ResidentMemory.mebibytes(tm);

                    List<BenchInput> load = new ArrayList<>(inputs.batch());
                    load.add(0, inputs.load());
                    double audio = load.stream().mapToDouble(BenchInput::seconds).sum();
                    AtomicReference<Double> highest = new AtomicReference<>(warm);
                    Thread sampler = new Thread(() -> {
                        while (!Thread.currentThread().isInterrupted()) {
                            try {
                                highest.accumulateAndGet(ResidentMemory.mebibytes(tm), Math::max);
                                Thread.sleep(250);
                            } catch (IOException | InterruptedException e) {
                                return;
                            }
                        }
                    }, "rss-sampler");
                    sampler.setDaemon(true);
                    sampler.start();
                    long t0 = System.nanoTime();
                    List<String> jobs = new ArrayList<>();
                    for (BenchInput input : load) {
                        jobs.add(api.submit(input.file().toString()));
                    }
                    int finished = 0;
                    for (String job : jobs) {
                        JsonNode done = api.await(job, Duration.ofMinutes(30));
                        finished += "Finished".equals(done.path("State").asText()) ? 1 : 0;
                    }
                    double wall = (System.nanoTime() - t0) / 1e9;
                    sampler.interrupt();
                    double after = ResidentMemory.mebibytes(tm);
                    double hwm = peak(tm);
                    String nmt = nativeMemory(tm);

                    double target = model.model() + MIB_PER_SLOT * slots;
                    System.out.printf(Locale.ROOT, "%nmachine: %d cores; 1 TaskManager x %d slots, memory settings %s%n",
                            Runtime.getRuntime().availableProcessors(), slots, memorySettings);
                    System.out.printf(Locale.ROOT, "load: %d jobs, %.0f s of audio (one of %.0f s), all submitted at once: "
                            + "%d Finished in %.1f s%n", load.size(), audio, inputs.load().seconds(), finished, wall);
                    System.out.printf(Locale.ROOT, "the model alone (a JVM of its own): +%.0f MiB loaded, +%.0f MiB more with a warm "
                            + "recognizer (JVM %.0f MiB before)%n", model.model(), model.recognizer(), model.jvm());
                    System.out.println("| TaskManager VmRSS | MiB |");
                    System.out.println("| --- | --- |");
                    System.out.printf(Locale.ROOT, "| idle, no job | %.0f |%n| after a warm-up clip | %.0f |%n"
                            + "| highest sampled under the load | %.0f |%n| peak (VmHWM) | %.0f |%n| after the load | %.0f |%n",
                            idle, warm, highest.get(), hwm, after);
                    System.out.printf(Locale.ROOT, "TaskManager RSS <= model + %.0f MiB per slot (%.0f + %.0f x %d = %.0f MiB): "
                                    + "peak %.0f MiB: %s%n", MIB_PER_SLOT, model.model(), MIB_PER_SLOT, slots, target, hwm,
                            hwm <= target ? "MET" : "NOT MET");
                    System.out.println(heapAfterCollections(gcLog));
                    System.out.println("Native Memory Tracking of the TaskManager after the load (committed; RSS "
                            + String.format(Locale.ROOT, "%.0f", after) + " MiB):");
                    System.out.println(nmt);
                    if (finished != jobs.size()) {
                        throw new AssertionError((jobs.size() - finished) + " of " + jobs.size() + " jobs did not finish");
                    }
                }
            }
        }
    }

    /** The settings that size a TaskManager's memory: {@code taskmanager.memory.*} and its JVM options. */
    private static Map<String, String> onlyTaskManagerMemory(Map<String, String> settings) {
        Map<String, String> memory = new LinkedHashMap<>();
        settings.forEach((key, value) -> {
            if (key.startsWith("taskmanager.memory.") || key.equals("env.java.opts.taskmanager")) {
                memory.put(key, value);
            }
        });
        return memory;
    }

    /** What {@link ModelFootprint} measured in a JVM of its own. */
    private record Footprint(double jvm, double model, double recognizer) {}

    private static Footprint modelFootprint(Path logs, String ffmpeg) throws Exception {
        Path log = logs.resolve("model-footprint.log");
        try (JavaProcess probe = JavaProcess.start("model-footprint", log, List.of("-Xmx256m"), Map.of("MALLOC_ARENA_MAX", "2"),
                ModelFootprint.class.getName(), List.of(System.getProperty("flinkasr.model.path"),
                        SpeechSet.file("jfk.flac").toString(), ffmpeg), ModelFootprint.DONE, Duration.ofMinutes(2))) {
            Map<String, Double> rss = new LinkedHashMap<>();
            for (String line : Files.readAllLines(log)) {
                String[] parts = line.split(" ");
                if (parts.length == 2 && parts[0].startsWith("rss-")) {
                    rss.put(parts[0], Double.parseDouble(parts[1]));
                }
            }
            return new Footprint(rss.get("rss-jvm"), rss.get("rss-model") - rss.get("rss-jvm"),
                    rss.get("rss-recognizer") - rss.get("rss-model"));
        }
    }

    /** VmHWM: the highest resident memory the process ever had, in MiB. */
    private static double peak(long pid) throws IOException {
        Matcher m = Pattern.compile("VmHWM:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
        return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
    }

    /**
     * From the TaskManager's GC log: the Java heap in use after each collection (what is live, at most), its
     * median and highest, and the heap's size; G1 lines read {@code GC(7) Pause Young (Normal) (G1 Evacuation Pause)
     * 150M->40M(2048M) 5.123ms}.
     */
    private static String heapAfterCollections(Path gcLog) throws IOException {
        Matcher m = Pattern.compile("GC\\(\\d+\\) Pause .*? (\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(Files.readString(gcLog));
        List<Long> after = new ArrayList<>();
        long size = 0;
        while (m.find()) {
            after.add(Long.parseLong(m.group(2)));
            size = Long.parseLong(m.group(3));
        }
        if (after.isEmpty()) {
            return "no collection in " + gcLog;
        }
        List<Long> sorted = after.stream().sorted().toList();
        return String.format(Locale.ROOT, "Java heap after each of %d collections: median %d MiB, highest %d MiB (heap %d MiB)",
                sorted.size(), sorted.get((sorted.size() - 1) / 2), sorted.get(sorted.size() - 1), size);
    }

    /** The JVM's Native Memory Tracking summary, committed MiB per category. */
    private static String nativeMemory(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "VM.native_memory", "summary", "scale=MB")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        StringBuilder table = new StringBuilder("| category | committed MiB |\n| --- | --- |\n");
        Matcher m = Pattern.compile("(?m)^[-\\s]*(Total|[A-Z][A-Za-z ]+?):? \\(?reserved=\\d+MB, committed=(\\d+)MB\\)?").matcher(out);
        while (m.find()) {
            table.append("| ").append(m.group(1).strip()).append(" | ").append(m.group(2)).append(" |\n");
        }
        return table.length() > 50 ? table.toString() : out;
    }
}
