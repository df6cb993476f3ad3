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
import io.flinkasr.cluster.JobJars;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.EmbeddedKafka;
import io.flinkasr.testing.Await;
import io.flinkasr.workflow.JobTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real flink-asr job, from flink-asr-job/target/flink-asr-job.jar, on a {@link FlinkProcessCluster} (a JobManager
 * and two single-slot TaskManagers as separate JVMs) with the API in the test JVM: a short recording is
 * transcribed, then a TaskManager is SIGKILLed while a long input is being recognised and a replacement is
 * started; the job recovers and the long input finishes once, whole and in order.
 *
 * <p>Process logs: {@code <tmp>/cluster/logs/} (printed); the folder is kept when the test fails.
 */
class ClusterFailoverITCase {
    private static final Path JAR = JobJars.JOB_JAR; // as operators submit it: main class JobMain

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp;

    // what the steps share
    private Path media;
    private Media.Joined longInput;
    private Configuration asr;
    private FlinkProcessCluster cluster;
    private JobID flinkJob;
    private List<Subtask> before;
    private AsrApi api;

    @Test
    void aLongJobFinishesWholeAfterATaskManagerIsKilled() throws Exception {
        media = Files.createDirectories(tmp.resolve("media"));
        longInput = Media.joined(SpeechSet.load(), 2, 1.0, tmp, media.resolve("long.flac"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0)) {
            createTheTopics(kafka.bootstrapServers());
            // SharedVoskModel from the cluster's lib/ folder, as the Dockerfile deploys it
            Path lib = AsrClusterSettings.voskLibJar(tmp.resolve("flink-asr-vosk.jar"));
            try (FlinkProcessCluster started = FlinkProcessCluster.start(tmp.resolve("cluster"), 2, 1, AsrClusterSettings.flink("2 s"), List.of(lib))) {
                cluster = started;
                System.out.println("cluster " + cluster.restUrl() + ", logs in " + cluster.logDir());
                runTheJobOnBothTaskManagers(kafka.bootstrapServers());
                Configuration apiConfig = new Configuration(asr);
                apiConfig.set(AsrOptions.UNSIGNED_FROM_LOOPBACK, true);
                try (Catalog jobs = new Catalog(asr);
                        ApiServer server = new ApiServer(apiConfig, jobs, AccessKeys.create(tmp.resolve("users.json")))
                                .start("127.0.0.1", 0)) {
                    assertThat(jobs.awaitCaughtUp(Duration.ofMinutes(2))).isTrue();
                    api = new AsrApi("http://127.0.0.1:" + server.port());

                    aShortRecordingFinishes();
                    String longJob = api.submit(longInput.file().toString());
                    JsonNode progress = awaitTwoChunksDone(longJob);
                    long kill = System.nanoTime();
                    List<Subtask> after = killATaskManagerAndStartAnother();
                    double recovered = (System.nanoTime() - kill) / 1e9;
                    theLongJobFinishesWholeAndInOrder(longJob, progress, kill, after.size(), recovered);
                }
            }
        }
    }

    private void createTheTopics(String bootstrapServers) throws Exception {
        asr = new Configuration();
        asr.set(AsrOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        asr.set(AsrOptions.TOPIC_PARTITIONS, 2);
        JobTopics.ensureExist(asr);
    }

    private void runTheJobOnBothTaskManagers(String bootstrapServers) throws Exception {
        flinkJob = cluster.submitJar(JAR, JobMain.class.getName(), List.of(
                "--bootstrap-servers", bootstrapServers,
                "--model", System.getProperty("flinkasr.model.path"),
                "--media-root", SpeechSet.dir().toString(),
                "--media-root", media.toString(),
                "-D" + AsrOptions.TOPIC_PARTITIONS.key() + "=2",
                "-D" + AsrOptions.CHUNK_MIN_SECONDS.key() + "=6",
                "-D" + AsrOptions.CHUNK_MAX_SECONDS.key() + "=12"));
        before = cluster.awaitSubtasks(flinkJob, Duration.ofMinutes(3), ClusterFailoverITCase::allRunning);
        assertThat(taskManagers(before)).containsExactlyInAnyOrder("taskmanager-0", "taskmanager-1");
    }

    private void aShortRecordingFinishes() throws Exception {
        JsonNode jfk = api.await(api.submit(SpeechSet.file("jfk.flac").toString()), Duration.ofMinutes(3));
        assertThat(jfk.path("State").asText()).as("%s", jfk).isEqualTo("Finished");
        assertThat(AsrApi.text(AsrApi.segments(jfk)).toLowerCase()).contains("country");
    }

    /** The long job, once two of its chunks are done (or after 3 minutes, whatever it shows then): still Executing. */
    private JsonNode awaitTwoChunksDone(String longJob) throws Exception {
        JsonNode progress;
        try {
            progress = Await.until("two chunks of the long job done", Duration.ofMinutes(3), Duration.ofMillis(100),
                    () -> api.call("GetSmartHandleJob", "JobId", longJob).body(),
                    job -> job.path("Progress").path("ChunksDone").asInt() >= 2);
        } catch (java.util.concurrent.TimeoutException e) {
            progress = api.call("GetSmartHandleJob", "JobId", longJob).body();
        }
        assertThat(progress.path("State").asText()).as("%s", progress).isEqualTo("Executing");
        return progress;
    }

    private List<Subtask> killATaskManagerAndStartAnother() throws Exception {
        cluster.killTaskManager(0);
        cluster.startTaskManager();
        int maxAttempt = before.stream().mapToInt(Subtask::attempt).max().orElseThrow();
        List<Subtask> after = cluster.awaitSubtasks(flinkJob, Duration.ofMinutes(3),
                s -> allRunning(s) && s.stream().allMatch(t -> t.attempt() > maxAttempt));
        assertThat(taskManagers(after)).containsExactlyInAnyOrder("taskmanager-1", "taskmanager-2");
        return after;
    }

    private void theLongJobFinishesWholeAndInOrder(String longJob, JsonNode progress, long kill, int subtasks, double recovered)
            throws Exception {
        JsonNode result = api.await(longJob, Duration.ofMinutes(5));
        double finished = (System.nanoTime() - kill) / 1e9;
        assertThat(result.path("State").asText()).as("%s", result).isEqualTo("Finished");
        double wer = WordErrorRate.of(longInput.transcript(), AsrApi.text(AsrApi.segments(result)));
        System.out.printf("SIGKILL taskmanager-0 at %d of %d chunks: all %d subtasks RUNNING again after "
                        + "%.1f s, the long job Finished %.1f s after the kill, WER %.1f%%%n",
                progress.path("Progress").path("ChunksDone").asInt(),
                result.path("Chunks").size(), subtasks, recovered, finished, 100 * wer);
        assertThat(wer).as("no part of the media lost").isLessThan(0.10);
        JsonNode chunks = result.path("Chunks");
        for (int i = 0; i < chunks.size(); i++) {
            assertThat(chunks.get(i).path("Seq").asInt()).isEqualTo(i);
        }
    }

    private static boolean allRunning(List<Subtask> subtasks) {
        return subtasks.stream().allMatch(Subtask::running);
    }

    private static java.util.Set<String> taskManagers(List<Subtask> subtasks) {
        return subtasks.stream().map(Subtask::taskManagerId).collect(Collectors.toSet());
    }
}
