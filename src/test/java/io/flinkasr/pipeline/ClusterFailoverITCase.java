package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.AccessKeys;
import io.flinkasr.api.ApiServer;
import io.flinkasr.api.Catalog;
import io.flinkasr.cli.JobMain;
import io.flinkasr.cluster.AsrClusterSettings;
import io.flinkasr.cluster.FlinkProcessCluster;
import io.flinkasr.cluster.FlinkProcessCluster.Subtask;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.EmbeddedKafka;
import io.flinkasr.workflow.JobTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real flink-asr job, from target/flink-asr-job.jar, on a {@link FlinkProcessCluster} (a JobManager
 * and two single-slot TaskManagers as separate JVMs) with the API in the test JVM: a short recording is
 * transcribed, then a TaskManager is SIGKILLed while a long input is being recognised and a replacement is
 * started; the job recovers and the long input finishes once, whole and in order.
 *
 * <p>Process logs: {@code <tmp>/cluster/logs/} (printed); the folder is kept when the test fails.
 */
class ClusterFailoverITCase {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp;

    @Test
    void aLongJobFinishesWholeAfterATaskManagerIsKilled() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        Media.Joined longInput = Media.joined(SpeechSet.load(), 2, 1.0, tmp, media.resolve("long.flac"));
        Path jar = Path.of("target", "flink-asr-job.jar"); // as operators submit it: main class JobMain

        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0)) {
            Configuration asr = new Configuration();
            asr.set(AsrOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            asr.set(AsrOptions.TOPIC_PARTITIONS, 2);
            JobTopics.ensureExist(asr);

            Map<String, String> flink = AsrClusterSettings.flink("2 s");
            // SharedVoskModel from the cluster's lib/ folder, as the Dockerfile deploys it
            Path lib = AsrClusterSettings.voskLibJar(tmp.resolve("flink-asr-vosk.jar"));
            try (FlinkProcessCluster cluster = FlinkProcessCluster.start(tmp.resolve("cluster"), 2, 1, flink, List.of(lib))) {
                System.out.println("cluster " + cluster.restUrl() + ", logs in " + cluster.logDir());
                JobID flinkJob = cluster.submitJar(jar, JobMain.class.getName(), List.of(
                        "--bootstrap-servers", kafka.bootstrapServers(),
                        "--model", System.getProperty("flinkasr.model.path"),
                        "--media-root", SpeechSet.dir().toString(),
                        "--media-root", media.toString(),
                        "-D" + AsrOptions.TOPIC_PARTITIONS.key() + "=2",
                        "-D" + AsrOptions.CHUNK_MIN_SECONDS.key() + "=6",
                        "-D" + AsrOptions.CHUNK_MAX_SECONDS.key() + "=12"));
                List<Subtask> before = cluster.awaitSubtasks(flinkJob, Duration.ofMinutes(3), ClusterFailoverITCase::allRunning);
                assertThat(taskManagers(before)).containsExactlyInAnyOrder("taskmanager-0", "taskmanager-1");

                Configuration apiConfig = new Configuration(asr);
                apiConfig.set(AsrOptions.UNSIGNED_FROM_LOOPBACK, true);
                try (Catalog jobs = new Catalog(asr);
                        ApiServer server = new ApiServer(apiConfig, jobs, AccessKeys.create(tmp.resolve("users.json")))
                                .start("127.0.0.1", 0)) {
                    assertThat(jobs.awaitCaughtUp(Duration.ofMinutes(2))).isTrue();
                    AsrApi api = new AsrApi("http://127.0.0.1:" + server.port());

                    JsonNode jfk = api.await(api.submit(SpeechSet.dir().resolve("jfk.flac").toString()), Duration.ofMinutes(3));
                    assertThat(jfk.path("State").asText()).as("%s", jfk).isEqualTo("Finished");
                    assertThat(AsrApi.text(AsrApi.segments(jfk)).toLowerCase()).contains("country");

                    String longJob = api.submit(longInput.file().toString());
                    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                    JsonNode progress;
                    do {
                        Thread.sleep(100);
                        progress = api.call("GetSmartHandleJob", "JobId", longJob).body();
                    } while (progress.path("Progress").path("ChunksDone").asInt() < 2 && System.nanoTime() < deadline);
                    assertThat(progress.path("State").asText()).as("%s", progress).isEqualTo("Executing");

                    long kill = System.nanoTime();
                    cluster.killTaskManager(0);
                    cluster.startTaskManager();
                    int maxAttempt = before.stream().mapToInt(Subtask::attempt).max().orElseThrow();
                    List<Subtask> after = cluster.awaitSubtasks(flinkJob, Duration.ofMinutes(3),
                            s -> allRunning(s) && s.stream().allMatch(t -> t.attempt() > maxAttempt));
                    double recovered = (System.nanoTime() - kill) / 1e9;
                    assertThat(taskManagers(after)).containsExactlyInAnyOrder("taskmanager-1", "taskmanager-2");

                    JsonNode result = api.await(longJob, Duration.ofMinutes(5));
                    double finished = (System.nanoTime() - kill) / 1e9;
                    assertThat(result.path("State").asText()).as("%s", result).isEqualTo("Finished");
                    double wer = WordErrorRate.of(longInput.transcript(), AsrApi.text(AsrApi.segments(result)));
                    System.out.printf("SIGKILL taskmanager-0 at %d of %d chunks: all %d subtasks RUNNING again after "
                                    + "%.1f s, the long job Finished %.1f s after the kill, WER %.1f%%%n",
                            progress.path("Progress").path("ChunksDone").asInt(),
                            result.path("Chunks").size(), after.size(), recovered, finished, 100 * wer);
                    assertThat(wer).as("no part of the media lost").isLessThan(0.10);
                    JsonNode chunks = result.path("Chunks");
                    for (int i = 0; i < chunks.size(); i++) {
                        assertThat(chunks.get(i).path("Seq").asInt()).isEqualTo(i);
                    }
                }
            }
        }
    }

    private static boolean allRunning(List<Subtask> subtasks) {
        return subtasks.stream().allMatch(Subtask::running);
    }

    private static java.util.Set<String> taskManagers(List<Subtask> subtasks) {
        return subtasks.stream().map(Subtask::taskManagerId).collect(Collectors.toSet());
    }
}
