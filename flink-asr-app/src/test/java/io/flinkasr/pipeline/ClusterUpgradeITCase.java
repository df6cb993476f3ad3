package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.cli.JobMain;
import io.flinkasr.cli.NextBuildJob;
import io.flinkasr.cluster.AsrClusterSettings;
import io.flinkasr.cluster.FlinkProcessCluster;
import io.flinkasr.cluster.JavaProcess;
import io.flinkasr.cluster.JobJars;
import io.flinkasr.cluster.KafkaBrokerMain;
import io.flinkasr.cluster.ShellScript;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.recognition.InCapitals;
import io.flinkasr.records.ChunkInfo;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Segment;
import io.flinkasr.testing.Await;
import io.flinkasr.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented upgrade, done by the operator's script on a real multi-process deployment: a Kafka broker
 * ({@link KafkaBrokerMain}) and a Flink session cluster ({@link FlinkProcessCluster}: a JobManager and one
 * TaskManager with 2 slots, its lib jar made by {@code flink-asr-deploy.sh lib}), the API in the test JVM.
 * The job is submitted by the compose file's {@code deploy/submit-job.sh} (which runs
 * {@code flink-asr-deploy.sh submit}) and upgraded by {@code flink-asr-deploy.sh upgrade} (upload the newer
 * jar, stop with a savepoint, run the newer jar from it), both through the cluster's REST API with curl.
 *
 * <p>Two builds whose code differs: the first is flink-asr-job/target/flink-asr-job.jar ({@link JobMain}); the second is
 * that jar plus {@link NextBuildJob}, whose recognizer writes words in capitals ({@link InCapitals}), so each
 * segment shows which build recognised it. A batch is transcribed once by the first build (the baseline);
 * then the same batch again, and while its long job is Executing mid-file the job is upgraded; one more job
 * is submitted after the upgrade.
 *
 * <p>Checked: a second submit-job.sh does nothing; every job ends Finished; on the states topic
 * (read_committed) each job's states only move forward with its chunks done never going back, and each has
 * exactly one final record; segments in order without duplicates, chunks whole and in order; each
 * transcript of the upgraded batch has the baseline's words (compared without case, within
 * {@link #maxWordDifference}); the baseline is all the first build's, the job after the upgrade all the
 * second's, and the long job has chunks of both: recognised before the stop by the first build, after the
 * restore by the second; the old Flink job FINISHED, the new one restored from the savepoint.
 * Printed: the stop-with-savepoint time, the time to RUNNING and to the long job's next chunk after the
 * new jar's run request, the whole test's time.
 *
 * <p>Process and script logs: {@code <tmp>/logs} and {@code <tmp>/cluster/logs}; kept when the test fails.
 */
class ClusterUpgradeITCase {
    private static final Path JOB_JAR = JobJars.JOB_JAR.toAbsolutePath();
    /** The long input: every shared recording, this many times over (about 86 s each round). */
    private static final int LONG_ROUNDS = 1;
    private static final List<String> SHORT_INPUTS = List.of("jfk.flac");
    /** Chunks the long job has done when the upgrade starts: it is mid-file, with chunks on both sides. */
    private static final int CHUNKS_BEFORE_UPGRADE = 2;
    private static final Duration BATCH_DEADLINE = Duration.ofMinutes(4);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);

    /** As {@code ClusterFaultITCase}: a restart may change a word (see there), a lost or doubled chunk is 30-60. */
    private static int maxWordDifference(int words) {
        return Math.max(2, words / 100);
    }

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp;

    private final long start = System.nanoTime();
    private final List<String> figures = new ArrayList<>();

    // what the steps share
    private Path media;
    private Path logs;
    private Path nextBuildJar;
    private final List<String> inputs = new ArrayList<>();
    private String bootstrap;
    private FlinkProcessCluster cluster;
    private Map<String, String> submitEnvironment;
    private List<String> jobArguments;
    private String firstFlinkJob;
    private AsrApi api;
    private List<String> baselineJobs;
    private Map<String, JsonNode> baseline;
    private List<String> batchJobs;
    private String longJob;
    private String afterJob;
    private ShellScript.Run upgrade;
    private long stopBegan;

    @Test
    void anUpgradeWithASavepointKeepsEveryJobInFlightAndRunsTheNewerBuild() throws Exception {
        makeTheInputsAndTheSecondBuild();
        int kafkaPort = FreePorts.one();
        bootstrap = "127.0.0.1:" + kafkaPort;
        try (JavaProcess kafka = KafkaBrokerMain.startProcess(tmp.resolve("kafka"), kafkaPort, logs.resolve("kafka.log"))) {
            try (FlinkProcessCluster started = startTheClusterWithTheScriptsLibJar()) {
                cluster = started;
                theScriptFindsTheSettingsTheJobNeeds();
                submitWithTheComposeSubmitScriptTwice();
                Configuration asr = new Configuration();
                asr.set(AsrOptions.BOOTSTRAP_SERVERS, bootstrap);
                asr.set(AsrOptions.TOPIC_PARTITIONS, 2);
                try (ApiInThisJvm inThisJvm = ApiInThisJvm.start(asr, tmp.resolve("users.json"))) {
                    api = inThisJvm.api();
                    figure("stack up (Kafka, JobManager, TaskManager with 2 slots, the first build RUNNING, API)");

                    transcribeTheBaselineWithTheFirstBuild();
                    submitTheBatchAgain();
                    upgradeWhileTheLongJobIsMidFile();
                    afterJob = api.submit(SpeechSet.file("jfk.flac").toString());
                    Map<String, JsonNode> results = awaitAll(concat(batchJobs, List.of(afterJob)), BATCH_DEADLINE);
                    everyJobFinishedOnceWithTheBaselinesWords(results);
                    eachSegmentWasRecognisedByTheBuildThatRanThen(results);
                    theOldFlinkJobFinishedAndTheNewOneRestoredTheSavepoint();
                    figure(String.format("total %.1f s", seconds(start)));
                    System.out.println(String.join("\n", figures));
                    figures.clear();
                }
            }
        } finally {
            if (!figures.isEmpty()) {
                System.out.println("ClusterUpgradeITCase failed; figures so far:\n" + String.join("\n", figures));
            }
        }
    }

    private void makeTheInputsAndTheSecondBuild() throws Exception {
        media = Files.createDirectories(tmp.resolve("media"));
        logs = Files.createDirectories(tmp.resolve("logs"));
        Media.Joined longInput = Media.joined(SpeechSet.load(), LONG_ROUNDS, 1.0, tmp, media.resolve("long.flac"));
        inputs.add(longInput.file().toString());
        SHORT_INPUTS.forEach(name -> inputs.add(SpeechSet.file(name).toString()));
        nextBuildJar = JobJars.build(tmp.resolve("flink-asr-job-next.jar"), JOB_JAR, NextBuildJob.class, InCapitals.class);
    }

    /** The lib jar as the README's first step makes it: {@code flink-asr-deploy.sh lib} (the flink-asr-vosk-lib build). */
    private FlinkProcessCluster startTheClusterWithTheScriptsLibJar() throws Exception {
        ShellScript.Run lib = deploy(List.of("lib",
                "--out", tmp.resolve("lib").resolve("flink-asr-vosk-lib.jar").toString()));
        assertThat(lib.exitCode()).as("%s", lib).isZero();
        Map<String, String> flink = AsrClusterSettings.flink("1 s");
        flink.put("web.cancel.enable", "false"); // as flink-conf/config.yaml: stop-with-savepoint is not a cancel
        FlinkProcessCluster started = FlinkProcessCluster.start(tmp.resolve("cluster"), 1, 2, flink, List.of(Path.of(lib.result("lib"))));
        System.out.println("cluster " + started.restUrl() + ", logs in " + started.logDir() + " and " + logs);
        return started;
    }

    private void theScriptFindsTheSettingsTheJobNeeds() throws Exception {
        ShellScript.Run check = deploy(List.of("check", "--rest", cluster.restUrl()));
        assertThat(check.exitCode()).as("%s", check).isZero();
        assertThat(check.result("check")).isEqualTo("ok");
    }

    /** deploy/submit-job.sh with the environment the compose file's submit service has, pointed at this cluster. */
    private void submitWithTheComposeSubmitScriptTwice() throws Exception {
        jobArguments = List.of(
                "--bootstrap-servers", bootstrap,
                "--model", System.getProperty("flinkasr.model.path"),
                "--media-root", SpeechSet.dir().toString(),
                "-Dasr.recognition.attempts-dir=" + Files.createDirectories(tmp.resolve("attempts")).toUri(),
                "-Dasr.media.staging-dir=" + Files.createDirectories(tmp.resolve("staging")),
                "--media-root", media.toString(),
                "-D" + AsrOptions.TOPIC_PARTITIONS.key() + "=2",
                "-D" + AsrOptions.CHUNK_MIN_SECONDS.key() + "=6",
                "-D" + AsrOptions.CHUNK_MAX_SECONDS.key() + "=12",
                "-D" + AsrOptions.CHUNK_LONGEST_SECONDS.key() + "=12");
        submitEnvironment = new LinkedHashMap<>();
        submitEnvironment.put("FLINK_REST_URL", cluster.restUrl());
        submitEnvironment.put("ASR_JAR", JOB_JAR.toString());
        submitEnvironment.put("ASR_BOOTSTRAP_SERVERS", bootstrap);
        submitEnvironment.put("ASR_MODEL_PATH", System.getProperty("flinkasr.model.path"));
        submitEnvironment.put("ASR_MEDIA_ROOT", SpeechSet.dir().toString());
        submitEnvironment.put("ASR_ATTEMPTS_DIR", tmp.resolve("attempts").toUri().toString());
        submitEnvironment.put("ASR_STAGING_DIR", tmp.resolve("staging").toString());
        submitEnvironment.put("ASR_JOB_ARGS", String.join(" ", jobArguments.subList(8, jobArguments.size())));
        submitEnvironment.put("WAIT_SECONDS", "60");

        ShellScript.Run first = ShellScript.run(ShellScript.deploy("submit-job.sh"), List.of(), submitEnvironment,
                logs.resolve("scripts.log"), SCRIPT_TIMEOUT);
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(first.result("submitted")).isEqualTo("true");
        firstFlinkJob = first.result("job-id");
        figure(String.format("submit-job.sh: the first build RUNNING as Flink job %s, %.1f s for the script", firstFlinkJob, first.seconds()));

        ShellScript.Run again = ShellScript.run(ShellScript.deploy("submit-job.sh"), List.of(), submitEnvironment,
                logs.resolve("scripts.log"), SCRIPT_TIMEOUT);
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(again.result("submitted")).as("a second submit-job.sh while the job runs").isEqualTo("false");
        assertThat(again.result("job-id")).isEqualTo(firstFlinkJob);
        assertThat(runningJobs()).as("Flink jobs RUNNING after two submit-job.sh").containsExactly(firstFlinkJob);
    }

    private void transcribeTheBaselineWithTheFirstBuild() throws Exception {
        long b0 = System.nanoTime();
        baselineJobs = submitAll(inputs);
        baseline = awaitAll(baselineJobs, BATCH_DEADLINE);
        figure(String.format("baseline: %d jobs Finished in %.1f s (the first build)", baselineJobs.size(), seconds(b0)));
        for (String id : baselineJobs) {
            assertThat(baseline.get(id).path("State").asText()).as("%s", baseline.get(id)).isEqualTo("Finished");
        }
    }

    private void submitTheBatchAgain() throws Exception {
        batchJobs = submitAll(inputs);
        longJob = batchJobs.get(0);
    }

    /**
     * The newer jar is uploaded first ({@code flink-asr-deploy.sh upload}), so that the stop comes right when
     * the long job is mid-file; then {@code flink-asr-deploy.sh upgrade --jar-id}.
     */
    private void upgradeWhileTheLongJobIsMidFile() throws Exception {
        ShellScript.Run upload = deploy(List.of("upload", "--rest", cluster.restUrl(), "--jar", nextBuildJar.toString()));
        assertThat(upload.exitCode()).as("%s", upload).isZero();
        JsonNode at = awaitProgress(longJob, CHUNKS_BEFORE_UPGRADE);
        assertThat(at.path("State").asText()).as("the long job when the upgrade starts: %s", at).isEqualTo("Executing");
        List<String> args = new ArrayList<>(List.of("upgrade", "--rest", cluster.restUrl(), "--jar-id", upload.result("jar-id"),
                "--entry-class", NextBuildJob.class.getName(), "--"));
        args.addAll(jobArguments);
        stopBegan = System.currentTimeMillis();
        long u0 = System.nanoTime();
        upgrade = deploy(args);
        assertThat(upgrade.exitCode()).as("%s", upgrade).isZero();
        figure(String.format("upgrade at chunk %d of %s of the long job: stopped with a savepoint in %s s (%s); "
                        + "the second build RUNNING %s s after its run request; the script took %.1f s",
                chunksDone(at), at.path("Progress").path("ChunksTotal").asText("?"), upgrade.result("stop-seconds"),
                upgrade.result("savepoint"), upgrade.result("start-seconds"), seconds(u0)));
        JsonNode resumed = Await.until("the long job's next chunk after the upgrade", Duration.ofMinutes(2), Duration.ofMillis(100),
                () -> api.call("GetSmartHandleJob", "JobId", longJob).body(),
                job -> isFinal(job) || chunksDone(job) > chunksDoneByTheFirstBuild());
        figure(String.format("  the long job progressing again (chunk %d, %s) %.1f s after the stop began",
                chunksDone(resumed), resumed.path("State").asText(), (System.currentTimeMillis() - stopBegan) / 1e3));
    }

    /** The chunks of the long job done on the states topic's records written before the second build started. */
    private int chunksDoneByTheFirstBuild() {
        long newJobStarted = startOfTheNewJob();
        List<JobStatus> states = StatesTopic.read(bootstrap).getOrDefault(longJob, List.of());
        return states.stream().filter(s -> s.modifiedTime < newJobStarted).mapToInt(s -> s.chunksDone).max().orElse(0);
    }

    private void everyJobFinishedOnceWithTheBaselinesWords(Map<String, JsonNode> results) throws Exception {
        Map<String, List<JobStatus>> states = StatesTopic.read(bootstrap);
        for (String id : concat(baselineJobs, concat(batchJobs, List.of(afterJob)))) {
            JsonNode result = id.equals(afterJob) || batchJobs.contains(id) ? results.get(id) : baseline.get(id);
            assertThat(result.path("State").asText()).as("%s", result).isEqualTo("Finished");
            DeliveryChecks.statesMoveForwardOnce(id, states.get(id));
            DeliveryChecks.segmentsInOrderChunksWhole(result);
        }
        for (int i = 0; i < batchJobs.size(); i++) {
            String before = AsrApi.text(AsrApi.segments(baseline.get(baselineJobs.get(i))));
            String after = AsrApi.text(AsrApi.segments(results.get(batchJobs.get(i))));
            int words = WordErrorRate.errors(before, after); // WordErrorRate compares without case
            figure(String.format("  %-28s %4d words, %3d chunks, %d words differ from the baseline",
                    Path.of(inputs.get(i)).getFileName(), WordErrorRate.words(after).length,
                    results.get(batchJobs.get(i)).path("Chunks").size(), words));
            assertThat(words).as("words of %s that differ from the baseline's", inputs.get(i))
                    .isLessThanOrEqualTo(maxWordDifference(WordErrorRate.words(before).length));
        }
    }

    /**
     * The baseline: every segment the first build's; the job after the upgrade: every segment the second's;
     * the long job: chunks recognised before the second build's job started and after, and segments of both
     * builds.
     */
    private void eachSegmentWasRecognisedByTheBuildThatRanThen(Map<String, JsonNode> results) throws Exception {
        for (String id : baselineJobs) {
            assertThat(builds(baseline.get(id))).as("builds of the baseline job %s", id).containsOnly(Build.FIRST);
        }
        assertThat(builds(results.get(afterJob))).as("builds of the job submitted after the upgrade").containsOnly(Build.NEXT);
        List<JobStatus> states = StatesTopic.read(bootstrap).get(longJob);
        ChunkInfo[] chunks = states.get(states.size() - 1).chunks;
        long newJobStarted = startOfTheNewJob();
        long before = java.util.Arrays.stream(chunks).filter(c -> c.endedAt < newJobStarted).count();
        long after = java.util.Arrays.stream(chunks).filter(c -> c.endedAt > newJobStarted).count();
        List<Build> longBuilds = builds(results.get(longJob));
        figure(String.format("  the long job: %d of %d chunks recognised by the first build, %d by the second; "
                        + "segments: %d of the first build, %d of the second", before, chunks.length, after,
                longBuilds.stream().filter(Build.FIRST::equals).count(), longBuilds.stream().filter(Build.NEXT::equals).count()));
        assertThat(before).as("chunks of the long job recognised before the upgrade").isGreaterThanOrEqualTo(CHUNKS_BEFORE_UPGRADE);
        assertThat(after).as("chunks of the long job recognised after the upgrade").isGreaterThanOrEqualTo(1);
        assertThat(longBuilds).as("builds of the long job's segments").contains(Build.FIRST, Build.NEXT);
    }

    private void theOldFlinkJobFinishedAndTheNewOneRestoredTheSavepoint() throws Exception {
        JobID old = JobID.fromHexString(firstFlinkJob);
        JobID next = JobID.fromHexString(upgrade.result("job-id"));
        assertThat(upgrade.result("stopped-job-id")).isEqualTo(firstFlinkJob);
        assertThat(cluster.jobStatus(old)).isEqualTo(org.apache.flink.api.common.JobStatus.FINISHED);
        assertThat(cluster.jobStatus(next)).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
        assertThat(runningJobs()).as("Flink jobs RUNNING at the end").containsExactly(next.toHexString());
        String restored = cluster.rest("/jobs/" + next + "/checkpoints").path("latest").path("restored").path("external_path").asText();
        assertThat(Path.of(restored.replaceFirst("^file:", "")).normalize())
                .as("the savepoint the new job restored")
                .isEqualTo(Path.of(upgrade.result("savepoint").replaceFirst("^file:", "")).normalize());
    }

    // ---------------------------------------------------------------------------------------------

    /** Which build recognised a segment: the second writes capitals; a segment of one letter says nothing. */
    private enum Build { FIRST, NEXT }

    private static List<Build> builds(JsonNode job) throws Exception {
        List<Build> builds = new ArrayList<>();
        for (Segment s : AsrApi.segments(job)) {
            String letters = s.content.replaceAll("[^\\p{L}]", "");
            if (letters.length() < 2) {
                continue;
            }
            builds.add(letters.equals(letters.toUpperCase(Locale.ROOT)) ? Build.NEXT : Build.FIRST);
            if (builds.get(builds.size() - 1) == Build.FIRST) {
                assertThat(letters.substring(1)).as("the first build's segment %s", s).isEqualTo(letters.substring(1).toLowerCase(Locale.ROOT));
            }
        }
        return builds;
    }

    /** When the second build's job began (its start-time), epoch milliseconds. */
    private long startOfTheNewJob() {
        try {
            return cluster.rest("/jobs/" + upgrade.result("job-id")).path("start-time").asLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private ShellScript.Run deploy(List<String> args) throws Exception {
        return ShellScript.run(ShellScript.deploy("flink-asr-deploy.sh"), args, Map.of(), logs.resolve("scripts.log"), SCRIPT_TIMEOUT);
    }

    private List<String> runningJobs() throws Exception {
        List<String> running = new ArrayList<>();
        for (JsonNode job : cluster.rest("/jobs").path("jobs")) {
            if ("RUNNING".equals(job.path("status").asText())) {
                running.add(job.path("id").asText());
            }
        }
        return running;
    }

    private List<String> submitAll(List<String> files) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String file : files) {
            ids.add(api.submit(file));
        }
        return ids;
    }

    /** Asks for every job until all have ended; fails, naming those still open, at the deadline. */
    private Map<String, JsonNode> awaitAll(List<String> jobs, Duration timeout) throws Exception {
        Map<String, JsonNode> last = new LinkedHashMap<>();
        Await.until("every job ended", timeout, Duration.ofMillis(250), () -> {
            for (String id : jobs) {
                if (!last.containsKey(id) || !isFinal(last.get(id))) {
                    last.put(id, api.call("GetSmartHandleJob", "JobId", id).body());
                }
            }
            StringBuilder open = new StringBuilder();
            for (String id : jobs) {
                if (!isFinal(last.get(id))) {
                    open.append("\n  ").append(id).append(": ").append(last.get(id).path("State")).append(' ').append(last.get(id).path("Progress"));
                }
            }
            return open.toString();
        }, String::isEmpty);
        return last;
    }

    private JsonNode awaitProgress(String jobId, int chunks) throws Exception {
        return Await.until("job " + jobId + " at " + chunks + " chunks done, or ended", Duration.ofMinutes(3), Duration.ofMillis(50),
                () -> api.call("GetSmartHandleJob", "JobId", jobId).body(), job -> isFinal(job) || chunksDone(job) >= chunks);
    }

    private static boolean isFinal(JsonNode job) {
        String s = job.path("State").asText();
        return s.equals("Finished") || s.equals("Failed");
    }

    private static int chunksDone(JsonNode job) {
        return job.path("Progress").path("ChunksDone").asInt();
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
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
