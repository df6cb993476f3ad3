package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.cli.MarkerToneCrashJob;
import io.flinkasr.cluster.AsrClusterSettings;
import io.flinkasr.cluster.FlinkProcessCluster;
import io.flinkasr.cluster.FlinkProcessCluster.Subtask;
import io.flinkasr.cluster.FlinkProcessCluster.TaskManagerExit;
import io.flinkasr.cluster.JavaProcess;
import io.flinkasr.cluster.JobJars;
import io.flinkasr.cluster.KafkaBrokerMain;
import io.flinkasr.cluster.ResidentMemory;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.recognition.CrashOnMarkerTone;
import io.flinkasr.recognition.MarkerTone;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.testing.Await;
import io.flinkasr.testing.FreePorts;
import io.flinkasr.workflow.JobTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk whose recognition kills its TaskManager, on a real multi-process deployment: a Kafka broker
 * ({@link KafkaBrokerMain}), a JobManager and two single-slot TaskManagers ({@link FlinkProcessCluster}, which
 * starts a replacement whenever a TaskManager dies, as a cluster manager would), the API in the test JVM.
 * The job jar is flink-asr-job.jar plus {@link MarkerToneCrashJob}: the real pipeline and the real Vosk
 * recognizer, behind {@link CrashOnMarkerTone}, which halts the JVM ({@link Runtime#halt}, no exception)
 * on a chunk that starts with the {@link MarkerTone}.
 *
 * <p>One job's media is the marker tone before a recording; it is submitted together with jobs of real
 * recordings. Each crash restarts the Flink job from its last checkpoint and replays the chunk; RecognizeChunk
 * counts the attempts in asr.recognition.attempts-dir. Checked, as a user would see it: the poisoned job ends
 * Failed with Recognition.Crashed after exactly asr.recognition.max-attempts TaskManager deaths; the others
 * all end Finished with their recordings' words; every job has exactly one final state on the states topic;
 * at the end the Flink job is RUNNING (a checkpoint completes, no subtask restarts, no TaskManager dies).
 * Printed: the crashes, the recovery after each, submit → Failed, and each TaskManager's resident memory
 * (VmRSS) before the crashes, after each restart it lived through and at the end.
 *
 * <p>Memory is printed, not asserted. The TaskManagers run with SharedVoskModel in their lib jar (as the
 * Dockerfile sets them up; Vosk and JNA parent-first) and the Java heap pre-touched, so what resident memory
 * gains is native. Which TaskManager dies next is Flink's choice of slots, so one that lives through all
 * restarts is not guaranteed. Seen: a TaskManager that lives through a restart gains 85-160 MiB each time.
 * On a restart every subtask of the TaskManager closes, the model's last user releases it, and the next
 * attempt loads it again on a new task thread; glibc keeps the freed model in that thread's malloc arena.
 * (Loading and freeing the model on a new thread each time in a plain JVM: +150 MiB a cycle;
 * with MALLOC_ARENA_MAX=1 it stays at 221 MiB.)
 *
 * <p>Process logs: {@code <tmp>/logs} and {@code <tmp>/cluster/logs}; the folder is kept when the test fails.
 */
class ClusterCrashITCase {
    private static final Path JOB_JAR = JobJars.JOB_JAR;
    private static final int MAX_ATTEMPTS = 3;
    private static final String POISONED_RECORDING = "sense_and_sensibility_01_austen_64kb-0890.wav";
    private static final List<String> NORMAL_RECORDINGS = List.of(
            "jfk.flac", "OSR_us_000_0034_8k.wav", "2412-153948-0000.flac", "test_audio_1.flac");
    /**
     * The word error rate a normal job's transcript may have against its manifest transcript: loose, since
     * only a lost or garbled chunk matters here (PipelineITCase holds the tight bounds). Seen here: 0-10%.
     */
    private static final double MAX_WER = 0.35;
    private static final Duration DEADLINE = Duration.ofMinutes(4);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp;

    private final long start = System.nanoTime();
    private final List<String> figures = new ArrayList<>();

    /** One TaskManager death and what the test saw of the recovery after it. */
    private static final class Crash {
        final TaskManagerExit exit;
        /** The highest subtask attempt number seen before the death was noticed. */
        final int attemptBefore;
        long recoveredAt;
        String recovery;
        Map<Integer, Double> residentMib = Map.of();

        Crash(TaskManagerExit exit, int attemptBefore) {
            this.exit = exit;
            this.attemptBefore = attemptBefore;
        }
    }

    // what the steps share
    private Path media;
    private Path logs;
    private Path attempts;
    private Path poisoned;
    private Path jar;
    private final Map<String, SpeechSet.Recording> recordings = new LinkedHashMap<>();
    private String bootstrap;
    private Configuration asr;
    private FlinkProcessCluster cluster;
    private JobID flinkJob;
    private AsrApi api;
    private Map<Integer, Double> residentBefore;
    private long submitted;
    private String poisonedJob;
    /** JobId → recording. */
    private final Map<String, String> normalJobs = new LinkedHashMap<>();
    private final List<String> allJobs = new ArrayList<>();
    // what the watch saw
    private final List<Crash> crashes = new ArrayList<>();
    private final Map<String, Long> markerSeen = new TreeMap<>();
    private final Map<String, JsonNode> ended = new LinkedHashMap<>();
    private final Map<String, Long> endedAt = new LinkedHashMap<>();
    private int maxAttempt;

    @Test
    void aChunkThatKillsItsTaskManagerFailsOnlyItsJobAfterMaxAttempts() throws Exception {
        makeThePoisonedMediaAndTheCrashingJobJar();
        int kafkaPort = FreePorts.one();
        bootstrap = "127.0.0.1:" + kafkaPort;
        try (JavaProcess kafka = KafkaBrokerMain.startProcess(tmp.resolve("kafka"), kafkaPort, logs.resolve("kafka.log"))) {
            createTheTopics();
            try (FlinkProcessCluster started = startTheClusterThatReplacesDeadTaskManagers()) {
                cluster = started;
                runTheCrashingJob();
                try (ApiInThisJvm inThisJvm = ApiInThisJvm.start(asr, tmp.resolve("users.json"))) {
                    api = inThisJvm.api();
                    finishAWarmUpJob();
                    submitThePoisonedJobWithNormalOnes();
                    watchCrashesRecoveriesAndJobsUntilAllEnded();
                    thePoisonedJobFailedAfterMaxAttemptsCrashes();
                    theNormalJobsFinishedWithTheirWords();
                    theStatesTopicHasOneFinalStatePerJob();
                    theFlinkJobRunsAndCheckpointsAtTheEnd();
                    printResidentMemory();
                }
            }
        } finally {
            if (!figures.isEmpty()) {
                System.out.println("ClusterCrashITCase failed; figures so far:\n" + String.join("\n", figures));
            }
        }
    }

    private void makeThePoisonedMediaAndTheCrashingJobJar() throws Exception {
        media = Files.createDirectories(tmp.resolve("media"));
        logs = Files.createDirectories(tmp.resolve("logs"));
        attempts = Files.createDirectories(tmp.resolve("attempts"));
        SpeechSet.load().forEach(r -> recordings.put(r.file().getFileName().toString(), r));
        poisoned = Media.afterMarkerTone(recordings.get(POISONED_RECORDING), 1.0, media.resolve("marker-tone-first.flac"));
        jar = JobJars.build(tmp.resolve("marker-tone-crash-job.jar"), JOB_JAR,
                MarkerToneCrashJob.class, CrashOnMarkerTone.class, MarkerTone.class);
    }

    private void createTheTopics() throws Exception {
        asr = new Configuration();
        asr.set(AsrOptions.BOOTSTRAP_SERVERS, bootstrap);
        asr.set(AsrOptions.TOPIC_PARTITIONS, 2);
        JobTopics.ensureExist(asr);
    }

    private FlinkProcessCluster startTheClusterThatReplacesDeadTaskManagers() throws Exception {
        Map<String, String> flink = AsrClusterSettings.flink("1 s");
        // the whole Java heap resident from the start: what resident memory gains later is native (Vosk's model)
        flink.put("env.java.opts.taskmanager", "-XX:+AlwaysPreTouch");
        flink.put("web.refresh-interval", "100 ms"); // the REST API's job details at most 100 ms old
        Path lib = AsrClusterSettings.voskLibJar(tmp.resolve("flink-asr-vosk.jar"));
        FlinkProcessCluster started = FlinkProcessCluster.start(tmp.resolve("cluster"), 2, 1, flink, List.of(lib));
        started.replaceTaskManagersThatExit();
        System.out.println("cluster " + started.restUrl() + ", logs in " + started.logDir() + " and " + logs);
        return started;
    }

    private void runTheCrashingJob() throws Exception {
        flinkJob = cluster.submitJar(jar, MarkerToneCrashJob.class.getName(), List.of(
                "--bootstrap-servers", bootstrap,
                "--model", System.getProperty("flinkasr.model.path"),
                "--media-root", SpeechSet.dir().toString(),
                "--media-root", media.toString(),
                "-D" + AsrOptions.TOPIC_PARTITIONS.key() + "=2",
                "-D" + AsrOptions.ATTEMPTS_DIR.key() + "=" + attempts.toUri(),
                "-D" + AsrOptions.MAX_ATTEMPTS.key() + "=" + MAX_ATTEMPTS));
        cluster.awaitSubtasks(flinkJob, Duration.ofMinutes(3), ClusterCrashITCase::allRunning);
    }

    private void finishAWarmUpJob() throws Exception {
        JsonNode warmUp = api.await(api.submit(recordings.get("jfk.flac").file().toString()), Duration.ofMinutes(2));
        assertThat(warmUp.path("State").asText()).as("%s", warmUp).isEqualTo("Finished");
        residentBefore = residentMib(aliveTaskManagers());
        figure("stack up (Kafka, JobManager, 2 TaskManagers, the job RUNNING, API), a warm-up job Finished; "
                + "resident memory (MiB) " + residentBefore);
    }

    /** The poisoned job and the normal ones, submitted together. */
    private void submitThePoisonedJobWithNormalOnes() throws Exception {
        submitted = System.nanoTime();
        poisonedJob = api.submit(poisoned.toString());
        for (String name : NORMAL_RECORDINGS) {
            normalJobs.put(api.submit(recordings.get(name).file().toString()), name);
        }
        allJobs.add(poisonedJob);
        allJobs.addAll(normalJobs.keySet());
    }

    /** Watches TaskManager deaths, the job's recovery after each, the attempt markers and the jobs' states. */
    private void watchCrashesRecoveriesAndJobsUntilAllEnded() throws Exception {
        Duration left = DEADLINE.minusNanos(System.nanoTime() - submitted);
        Await.until("every job ended and the job recovered from every crash", left, Duration.ofMillis(100), () -> {
            noteNewCrashes();
            noteAttemptMarkers();
            List<Subtask> subtasks = subtasksOrNone();
            maxAttempt = Math.max(maxAttempt, subtasks.stream().mapToInt(Subtask::attempt).max().orElse(0));
            noteRecoveries(subtasks);
            noteEndedJobs();
            return ended.size() == allJobs.size() && (crashes.isEmpty() || crashes.get(crashes.size() - 1).recovery != null)
                    ? "done" : "ended " + ended.keySet() + " of " + allJobs + "; crashes " + crashes.size() + "; subtasks " + subtasks;
        }, "done"::equals);
        for (int i = 0; i < crashes.size(); i++) {
            Crash c = crashes.get(i);
            figure(String.format("  after crash %d: %s %.1f s after it; resident memory (MiB) then %s", i + 1,
                    c.recovery, (c.recoveredAt - c.exit.atNanos()) / 1e9, c.residentMib));
        }
        figure("attempt markers seen: " + markerSeen.keySet());
    }

    private void noteNewCrashes() {
        List<TaskManagerExit> exits = cluster.taskManagerExits();
        for (int i = crashes.size(); i < exits.size(); i++) {
            crashes.add(new Crash(exits.get(i), maxAttempt));
            figure(String.format("crash %d: taskmanager-%d (pid %d) exited with %d %.1f s after submission; "
                            + "taskmanager-%d started in its place", i + 1, exits.get(i).index(), exits.get(i).pid(),
                    exits.get(i).exitCode(), (exits.get(i).atNanos() - submitted) / 1e9, exits.get(i).replacement()));
        }
    }

    private void noteAttemptMarkers() throws Exception {
        try (Stream<Path> markers = Files.list(attempts)) {
            long now = System.nanoTime();
            markers.forEach(m -> markerSeen.putIfAbsent(m.getFileName().toString(), now));
        }
    }

    private void noteRecoveries(List<Subtask> subtasks) throws Exception {
        for (int i = 0; i < crashes.size(); i++) {
            Crash crash = crashes.get(i);
            if (crash.recovery != null) {
                continue;
            }
            int attemptBefore = crash.attemptBefore;
            String nextMarker = attemptMarker(i + 2);
            if (nextMarker != null) {
                // the replayed chunk's next attempt began (the earlier sign, seen before this poll of the REST API)
                recovered(crash, markerSeen.get(nextMarker), "the chunk's attempt " + (i + 2) + " began");
            } else if (!subtasks.isEmpty() && allRunning(subtasks)
                    && subtasks.stream().allMatch(s -> s.attempt() > attemptBefore)) {
                recovered(crash, System.nanoTime(), "all subtasks RUNNING again (attempt "
                        + subtasks.stream().mapToInt(Subtask::attempt).min().orElseThrow() + ")");
            }
        }
    }

    private void noteEndedJobs() throws Exception {
        for (String id : allJobs) {
            if (!ended.containsKey(id)) {
                JsonNode job = api.call("GetSmartHandleJob", "JobId", id).body();
                String state = job.path("State").asText();
                if (state.equals("Finished") || state.equals("Failed")) {
                    ended.put(id, job);
                    endedAt.put(id, System.nanoTime());
                }
            }
        }
    }

    /** Failed, Recognition.Crashed, after exactly max-attempts TaskManager deaths. */
    private void thePoisonedJobFailedAfterMaxAttemptsCrashes() {
        JsonNode failed = ended.get(poisonedJob);
        figure(String.format("poisoned job %s: %s %s \"%s\" %.1f s after submission", poisonedJob,
                failed.path("State").asText(), failed.path("ErrorCode").asText(), failed.path("ErrorMessage").asText(),
                (endedAt.get(poisonedJob) - submitted) / 1e9));
        assertThat(failed.path("State").asText()).as("%s", failed).isEqualTo("Failed");
        assertThat(failed.path("ErrorCode").asText()).isEqualTo("Recognition.Crashed");
        assertThat(failed.path("ErrorMessage").asText())
                .isEqualTo("Recognising the media at 0 s stopped the worker " + MAX_ATTEMPTS + " times.");
        assertThat(crashes).as("TaskManager deaths").hasSize(MAX_ATTEMPTS);
        assertThat(crashes).allSatisfy(c -> assertThat(c.exit.exitCode()).as("exit code of taskmanager-%d", c.exit.index())
                .isEqualTo(CrashOnMarkerTone.EXIT_CODE));
    }

    private void theNormalJobsFinishedWithTheirWords() throws Exception {
        for (Map.Entry<String, String> job : normalJobs.entrySet()) {
            JsonNode result = ended.get(job.getKey());
            assertThat(result.path("State").asText()).as("%s: %s", job.getValue(), result).isEqualTo("Finished");
            String text = AsrApi.text(AsrApi.segments(result));
            double wer = WordErrorRate.of(recordings.get(job.getValue()).transcript(), text);
            figure(String.format("  %-30s Finished %5.1f s after submission, %d chunks, WER %4.1f%%: %s",
                    job.getValue(), (endedAt.get(job.getKey()) - submitted) / 1e9, result.path("Chunks").size(),
                    100 * wer, text.length() > 60 ? text.substring(0, 60) + "..." : text));
            assertThat(wer).as("WER of %s: %s", job.getValue(), text).isLessThan(MAX_WER);
        }
    }

    /** One final state per job, states only forward. */
    private void theStatesTopicHasOneFinalStatePerJob() throws Exception {
        Map<String, List<JobStatus>> states = StatesTopic.read(bootstrap);
        for (String id : allJobs) {
            DeliveryChecks.statesMoveForwardOnce(id, states.get(id), id.equals(poisonedJob) ? JobState.Failed : JobState.Finished);
        }
        assertThat(states.get(poisonedJob).get(states.get(poisonedJob).size() - 1).errorCode).isEqualTo("Recognition.Crashed");
    }

    /** RUNNING, checkpointing, no restart and no death since the last recovery. */
    private void theFlinkJobRunsAndCheckpointsAtTheEnd() throws Exception {
        long settled = System.nanoTime();
        int attemptNow = subtasksOrNone().stream().mapToInt(Subtask::attempt).max().orElse(-1);
        long checkpointAt = awaitCheckpointAfter(System.currentTimeMillis());
        List<Subtask> last = cluster.subtasks(flinkJob);
        figure(String.format("the Flink job %s; a checkpoint completed %.1f s later; %s restarts; "
                        + "TaskManagers alive: %s", cluster.jobStatus(flinkJob), (checkpointAt - settled) / 1e9,
                numRestarts(), aliveTaskManagers()));
        assertThat(cluster.jobStatus(flinkJob)).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
        assertThat(last).allMatch(Subtask::running);
        assertThat(last).allMatch(s -> s.attempt() == attemptNow);
        assertThat(cluster.taskManagerExits()).as("TaskManager deaths at the end").hasSize(MAX_ATTEMPTS);
    }

    /**
     * Each TaskManager's resident memory before the crashes, after each restart it lived through, at the end.
     * Printed, not asserted: a TaskManager that lives through restarts gained 11-63 MiB at a restart with the
     * model kept (its recognisers and their graph caches warm up too), 85-160 MiB when each restart freed and
     * reloaded the model: too close at one restart for a bound that never flakes.
     */
    private void printResidentMemory() throws Exception {
        Map<Integer, Double> residentEnd = residentMib(aliveTaskManagers());
        StringBuilder table = new StringBuilder("resident memory (MiB, Java heap pre-touched) | before | ");
        crashes.forEach(c -> table.append("restart ").append(crashes.indexOf(c) + 1).append(" | "));
        table.append("end |");
        for (int tm = 0; tm < cluster.taskManagersStarted(); tm++) {
            table.append("\n  taskmanager-").append(tm).append(" | ").append(orDash(residentBefore.get(tm))).append(" | ");
            for (Crash c : crashes) {
                table.append(orDash(c.residentMib.get(tm))).append(" | ");
            }
            table.append(orDash(residentEnd.get(tm))).append(" |");
        }
        figure(table.toString());
        figure(String.format("total %.1f s", seconds(start)));
        System.out.println(String.join("\n", figures));
        figures.clear();
    }

    // ---------------------------------------------------------------------------------------------

    private void recovered(Crash crash, long at, String how) throws Exception {
        crash.recoveredAt = at;
        crash.recovery = how;
        crash.residentMib = residentMib(aliveTaskManagers());
    }

    /** The name of the attempt marker {@code n} seen in the attempts folder (one chunk crashes: at most one per n). */
    private String attemptMarker(int n) {
        return markerSeen.keySet().stream().filter(name -> name.endsWith(".attempt-" + n)).findFirst().orElse(null);
    }

    private Map<Integer, Double> residentMib(List<Integer> taskManagers) throws Exception {
        Map<Integer, Double> rss = new TreeMap<>();
        for (int tm : taskManagers) {
            try {
                rss.put(tm, Math.round(ResidentMemory.mebibytes(cluster.taskManagerPid(tm)) * 10) / 10.0);
            } catch (java.io.IOException e) {
                // it has just died
            }
        }
        return rss;
    }

    private static String orDash(Double value) {
        return value == null ? "-" : String.format("%.0f", value);
    }

    private List<Integer> aliveTaskManagers() {
        List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < cluster.taskManagersStarted(); i++) {
            if (cluster.taskManagerAlive(i)) {
                alive.add(i);
            }
        }
        return alive;
    }

    /** The job's subtasks; none while the REST API cannot say (the job between attempts). */
    private List<Subtask> subtasksOrNone() {
        try {
            return cluster.subtasks(flinkJob);
        } catch (Exception e) {
            return List.of();
        }
    }

    /** Waits for a checkpoint of the job triggered after {@code afterMillis} to complete; returns when it was seen. */
    private long awaitCheckpointAfter(long afterMillis) throws Exception {
        Await.until("a checkpoint triggered after the jobs ended completes", Duration.ofMinutes(1), Duration.ofMillis(100),
                () -> cluster.rest("/jobs/" + flinkJob + "/checkpoints").path("latest").path("completed").path("trigger_timestamp").asLong(),
                triggered -> triggered > afterMillis);
        return System.nanoTime();
    }

    private String numRestarts() throws Exception {
        JsonNode metric = cluster.rest("/jobs/" + flinkJob + "/metrics?get=numRestarts");
        return metric.size() == 0 ? "?" : metric.get(0).path("value").asText();
    }

    private static boolean allRunning(List<Subtask> subtasks) {
        return subtasks.stream().allMatch(Subtask::running);
    }

    private void figure(String line) {
        String stamped = String.format("[%6.1f s] %s", seconds(start), line);
        figures.add(stamped);
        System.out.println(stamped);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
