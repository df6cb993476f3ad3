package io.flinkasr.pipeline;

import io.flinkasr.testing.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.cli.JobMain;
import io.flinkasr.cluster.AsrClusterSettings;
import io.flinkasr.cluster.FlinkProcessCluster;
import io.flinkasr.cluster.JavaProcess;
import io.flinkasr.cluster.JobJars;
import io.flinkasr.cluster.KafkaBrokerMain;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.workflow.JobTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of the real job while it recognises an hour of speech on a multi-process cluster: a Kafka
 * broker ({@link KafkaBrokerMain}), a JobManager and two single-slot TaskManagers ({@link FlinkProcessCluster},
 * SharedVoskModel in their lib jar), flink-asr-job/target/flink-asr-job.jar submitted as operators do, the API in the test
 * JVM; checkpoints every {@value #CHECKPOINT_INTERVAL}, as {@link AsrClusterSettings} sets them.
 * Prints the hour's submit → Finished time and, for the checkpoints triggered while it ran, how many
 * completed and failed and their end-to-end durations and sizes (from {@code GET /jobs/:id/checkpoints},
 * with a history long enough to hold every checkpoint of the run). Asserts nothing about time.
 *
 * <p>Run with {@code mvn verify -Pbench -Dit.test=ClusterCheckpointBenchmark}.
 */
class ClusterCheckpointBenchmark {
    private static final String CHECKPOINT_INTERVAL = "2 s";
    /** Rounds of every shared recording with 1 s gaps: 37 make about an hour (3483 s), as in FairnessBenchmark. */
    private static final int ROUNDS = 37;

    @TempDir Path tmp;

    @Test
    void checkpointsWhileAnHourOfSpeechIsRecognised() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        Media.Joined hour = Media.joined(SpeechSet.load(), ROUNDS, 1.0, tmp, media.resolve("hour.flac"));
        int kafkaPort = FreePorts.one();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        try (JavaProcess kafka = KafkaBrokerMain.startProcess(tmp.resolve("kafka"), kafkaPort, tmp.resolve("logs").resolve("kafka.log"))) {
            Configuration asr = new Configuration();
            asr.set(AsrOptions.BOOTSTRAP_SERVERS, bootstrap);
            asr.set(AsrOptions.TOPIC_PARTITIONS, 2);
            JobTopics.ensureExist(asr);

            Map<String, String> flink = AsrClusterSettings.flink(CHECKPOINT_INTERVAL);
            flink.put("web.checkpoints.history", "10000");
            Path lib = AsrClusterSettings.voskLibJar(tmp.resolve("flink-asr-vosk.jar"));
            try (FlinkProcessCluster cluster = FlinkProcessCluster.start(tmp.resolve("cluster"), 2, 1, flink, List.of(lib))) {
                JobID flinkJob = cluster.submitJar(JobJars.JOB_JAR, JobMain.class.getName(), List.of(
                        "--bootstrap-servers", bootstrap,
                        "--model", System.getProperty("flinkasr.model.path"),
                        "--media-root", media.toString(),
                        "--media-root", SpeechSet.dir().toString(),
                        "-D" + AsrOptions.TOPIC_PARTITIONS.key() + "=2",
                        "-D" + AsrOptions.ATTEMPTS_DIR.key() + "=" + Files.createDirectories(tmp.resolve("attempts")).toUri()));
                cluster.awaitSubtasks(flinkJob, Duration.ofMinutes(3), s -> s.stream().allMatch(FlinkProcessCluster.Subtask::running));

                try (ApiInThisJvm inThisJvm = ApiInThisJvm.start(asr, tmp.resolve("users.json"))) {
                    AsrApi api = inThisJvm.api();
                    api.await(api.submit(SpeechSet.dir().resolve("jfk.flac").toString()), Duration.ofMinutes(2)); // warm-up

                    long from = System.currentTimeMillis();
                    long t0 = System.nanoTime();
                    JsonNode done = api.await(api.submit(hour.file().toString()), Duration.ofMinutes(30));
                    double wall = (System.nanoTime() - t0) / 1e9;
                    long to = System.currentTimeMillis();
                    double wer = WordErrorRate.of(hour.transcript(), AsrApi.text(AsrApi.segments(done)));

                    JsonNode stats = cluster.rest("/jobs/" + flinkJob + "/checkpoints");
                    List<JsonNode> completed = new ArrayList<>();
                    int failed = 0;
                    for (JsonNode c : stats.path("history")) {
                        long triggered = c.path("trigger_timestamp").asLong();
                        if (triggered < from || triggered > to) {
                            continue;
                        }
                        switch (c.path("status").asText()) {
                            case "COMPLETED" -> completed.add(c);
                            case "FAILED" -> failed++;
                            default -> { } // IN_PROGRESS at the end
                        }
                    }
                    System.out.printf(Locale.ROOT, "%nmachine: %d cores; 2 TaskManagers × 1 slot, checkpoints every %s%n",
                            Runtime.getRuntime().availableProcessors(), CHECKPOINT_INTERVAL);
                    System.out.printf(Locale.ROOT, "the hour (%.0f s of speech): %s in %.1f s submit → Finished (%.1f× real time), "
                                    + "%d chunks, WER %.1f%%%n", hour.seconds(), done.path("State").asText(), wall,
                            hour.seconds() / wall, done.path("Chunks").size(), 100 * wer);
                    System.out.printf(Locale.ROOT, "checkpoints triggered while it ran: %d completed, %d failed "
                                    + "(whole life of the Flink job: %d completed, %d failed)%n", completed.size(), failed,
                            stats.path("counts").path("completed").asInt(), stats.path("counts").path("failed").asInt());
                    Map<String, Integer> failures = new TreeMap<>();
                    for (JsonNode c : stats.path("history")) {
                        if ("FAILED".equals(c.path("status").asText())) {
                            String message = c.path("failure_message").asText("?");
                            failures.merge((c.path("trigger_timestamp").asLong() < from ? "before the hour: " : "")
                                    + message.substring(0, Math.min(200, message.length())), 1, Integer::sum);
                        }
                    }
                    failures.forEach((message, n) -> System.out.printf(Locale.ROOT, "  %d failed: %s%n", n, message));
                    System.out.println("| checkpoints while the hour ran | median | p90 | max |");
                    System.out.println("| --- | --- | --- | --- |");
                    row("end-to-end duration (ms)", completed, c -> c.path("end_to_end_duration").asLong());
                    row("checkpointed size (KiB)", completed, c -> c.path("checkpointed_size").asLong() / 1024);
                    row("in-flight data persisted (KiB)", completed, c -> c.path("persisted_data").asLong() / 1024);
                }
            }
        }
    }

    private static void row(String name, List<JsonNode> checkpoints, ToLongFunction<JsonNode> value) {
        if (checkpoints.isEmpty()) {
            System.out.printf(Locale.ROOT, "| %s | - | - | - |%n", name);
            return;
        }
        long[] sorted = checkpoints.stream().mapToLong(value).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d |%n", name,
                sorted[(sorted.length - 1) / 2], sorted[(int) Math.ceil(0.9 * sorted.length) - 1], sorted[sorted.length - 1]);
    }

}
