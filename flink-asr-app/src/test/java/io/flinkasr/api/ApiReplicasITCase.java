package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.cluster.JavaProcess;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.EmbeddedKafka;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import io.flinkasr.testing.Await;
import io.flinkasr.testing.FreePorts;
import io.flinkasr.workflow.JobTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flink-asr api} as separate processes on one broker, as they run behind a load balancer: a job
 * submitted through one replica is found through another at once, and a replica killed with SIGKILL
 * restarts from its store, reading only the records written since.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiReplicasITCase {
    private static final AccessKey KEY = new AccessKey(1234562230123456L, "LTAIreplicaTenant", "secretOfTheReplicaTenant");
    private static final String READY = "API ready on port";

    @TempDir static Path tmp;
    private EmbeddedKafka kafka;
    private TopicRecords topics;
    private Path users;
    private final List<JavaProcess> processes = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
        topics = new TopicRecords(kafka.bootstrapServers());
        Configuration config = new Configuration();
        config.set(AsrOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        JobTopics.ensureExist(config);
        users = tmp.resolve("users.json");
        Files.write(users, Json.MAPPER.writeValueAsBytes(List.of(KEY)));
    }

    @AfterAll
    void stop() throws Exception {
        for (JavaProcess p : processes) {
            p.kill();
        }
        if (topics != null) {
            topics.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** An API process on a free port with its own store folder; its client. */
    private ApiClient api(String name, int port) throws Exception {
        processes.add(JavaProcess.start(name, tmp.resolve("logs").resolve(name + ".log"), List.of("-Xmx256m"),
                "io.flinkasr.cli.FlinkAsr", List.of("api", "--bootstrap-servers", kafka.bootstrapServers(),
                        "--port", String.valueOf(port), "--users", users.toString(),
                        "-D" + AsrOptions.API_STORE_DIR.key() + "=" + tmp.resolve(name + "-store"),
                        "-D" + AsrOptions.CALLBACKS_ENABLED.key() + "=false",
                        "-D" + AsrOptions.DASHBOARD_ENABLED.key() + "=false"),
                READY, Duration.ofMinutes(2)));
        return new ApiClient("http://127.0.0.1:" + port, KEY);
    }

    private static ApiClient.Answer call(ApiClient api, String action, String... params) throws Exception {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return api.send(action, map);
    }

    private static String state(ApiClient api, String jobId) throws Exception {
        ApiClient.Answer a = call(api, "GetSmartHandleJob", "JobId", jobId);
        return a.status() == 200 ? a.body().path("State").asText() : a.body().path("Code").asText();
    }

    private static JobStatus created(String jobId) {
        JobRequest r = new JobRequest();
        r.jobId = jobId;
        r.userId = KEY.userId;
        r.inputFile = "/media/" + jobId + ".mp3";
        r.createTime = System.currentTimeMillis();
        return JobStatus.of(r, JobState.Created, r.createTime);
    }

    /** The API's count of records read from the topics since it started, from /metrics. */
    private static long recordsRead(int port) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("flinkasr_api_store_records_read_total"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElseThrow();
    }

    @Test
    void aJobSubmittedThroughOneReplicaIsFoundThroughAnotherAtOnce() throws Exception {
        List<Integer> ports = FreePorts.take(2);
        ApiClient a = api("replica-a", ports.get(0));
        ApiClient b = api("replica-b", ports.get(1));
        for (int i = 0; i < 50; i++) {
            ApiClient.Answer submitted = call(a, "SubmitASRJob", "InputFile", "/media/ryw-" + i + ".mp3");
            assertThat(submitted.status()).as("submission %d: %s", i, submitted.body()).isEqualTo(200);
            String jobId = submitted.body().path("JobId").asText();
            assertThat(state(b, jobId)).as("job %d through the other replica", i).isEqualTo("Created");
        }
        ApiClient.Answer asset = call(a, "RegisterMediaInfo", "InputURL", "https://media.example/ryw.mp3");
        ApiClient.Answer found = call(b, "GetMediaInfo", "MediaId", asset.body().path("MediaId").asText());
        assertThat(found.status()).as("%s", found.body()).isEqualTo(200);
        assertThat(call(b, "SubmitASRJob", "InputFile", asset.body().path("MediaId").asText()).status())
                .as("the other replica takes the new MediaId as InputFile").isEqualTo(200);
    }

    @Test
    void aReplicaKilledWithSigkillRestartsFromItsStoreReadingOnlyWhatIsNew() throws Exception {
        int port = FreePorts.one();
        ApiClient api = api("killed", port);
        Map<String, JobStatus> jobs = new LinkedHashMap<>();
        Map<String, String> latest = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            ApiClient.Answer submitted = call(api, "SubmitASRJob", "InputFile", "/media/kill-" + i + ".mp3");
            String jobId = submitted.body().path("JobId").asText();
            jobs.put(jobId, created(jobId));
            latest.put(jobId, "Created");
        }
        int i = 0;
        for (String jobId : jobs.keySet()) {
            if (i++ % 2 == 0) {
                topics.state("asr-job-states", jobs.get(jobId), JobState.Finished, System.currentTimeMillis());
                latest.put(jobId, "Finished");
            }
        }
        Await.until("every state shown", Duration.ofMinutes(1), Duration.ofMillis(200), () -> allAnswer(api, latest));
        long before = recordsRead(port);

        JavaProcess process = processes.get(processes.size() - 1);
        process.kill();
        int written = 0;
        for (Map.Entry<String, String> job : latest.entrySet()) {
            if (job.getValue().equals("Created") && written < 3) {
                topics.state("asr-job-states", jobs.get(job.getKey()), JobState.Executing, System.currentTimeMillis());
                job.setValue("Executing");
                written++;
            }
        }
        process.restart(READY, Duration.ofMinutes(2));
        for (Map.Entry<String, String> job : latest.entrySet()) {
            assertThat(state(api, job.getKey())).as(job.getKey()).isEqualTo(job.getValue());
        }
        assertThat(before).as("the first start read its jobs' records").isGreaterThanOrEqualTo(15);
        assertThat(recordsRead(port)).as("after SIGKILL only the records written while it was down are read").isEqualTo(3);
    }

    @Test
    void aNewReplicaListensAtOnceAndAnswersServiceUnavailableUntilItHasReadWhatWasWrittenBeforeIt() throws Exception {
        // a topic set of its own, so the other tests' replicas do not read this backlog
        Configuration topicNames = new Configuration();
        topicNames.set(AsrOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        topicNames.set(AsrOptions.REQUESTS_TOPIC, "backlog-requests");
        topicNames.set(AsrOptions.STATES_TOPIC, "backlog-states");
        topicNames.set(AsrOptions.ASSETS_TOPIC, "backlog-assets");
        topicNames.set(AsrOptions.CALLBACKS_TOPIC, "backlog-callbacks");
        JobTopics.ensureExist(topicNames);
        int backlog = 60_000; // a new replica reads them for seconds
        List<JobStatus> finished = new ArrayList<>();
        for (int i = 0; i < backlog; i++) {
            JobStatus created = created(String.format("backlog-%05d", i));
            finished.add(JobStatus.of(created.request, JobState.Finished, created.request.createTime + 1000));
        }
        topics.states("backlog-states", finished);
        String last = finished.get(backlog - 1).jobId();

        int port = FreePorts.one();
        List<String> args = new ArrayList<>(List.of("api", "--bootstrap-servers", kafka.bootstrapServers(),
                "--port", String.valueOf(port), "--users", users.toString(),
                "-D" + AsrOptions.API_STORE_DIR.key() + "=" + tmp.resolve("backlog-store"),
                "-D" + AsrOptions.CALLBACKS_ENABLED.key() + "=false", "-D" + AsrOptions.DASHBOARD_ENABLED.key() + "=false"));
        for (var option : List.of(AsrOptions.REQUESTS_TOPIC, AsrOptions.STATES_TOPIC, AsrOptions.ASSETS_TOPIC, AsrOptions.CALLBACKS_TOPIC)) {
            args.add("-D" + option.key() + "=" + topicNames.get(option));
        }
        JavaProcess process = JavaProcess.start("backlog", tmp.resolve("logs").resolve("backlog.log"), List.of("-Xmx256m"),
                "io.flinkasr.cli.FlinkAsr", args, "API listening on port", Duration.ofMinutes(2));
        processes.add(process);
        ApiClient api = new ApiClient("http://127.0.0.1:" + port, KEY);

        HttpResponse<String> health = health(port);
        assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
        var body = Json.MAPPER.readTree(health.body());
        assertThat(body.path("jobTable").asText()).isEqualTo("CATCHING_UP");
        assertThat(body.path("recordsToRead").asLong()).as(health.body()).isPositive().isLessThanOrEqualTo(backlog);
        ApiClient.Answer early = call(api, "GetSmartHandleJob", "JobId", last);
        assertThat(early.status()).as("%s", early.body()).isEqualTo(503);
        assertThat(early.body().path("Code").asText()).isEqualTo("ServiceUnavailable");
        assertThat(early.body().path("Message").asText()).contains("to go");

        Await.until("/health UP", Duration.ofMinutes(2), Duration.ofMillis(250), () -> health(port).statusCode() == 200);
        assertThat(state(api, last)).isEqualTo("Finished");
        assertThat(state(api, "backlog-00000")).isEqualTo("Finished");
        assertThat(Files.readString(process.log())).contains(READY);
    }

    private static HttpResponse<String> health(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static boolean allAnswer(ApiClient api, Map<String, String> latest) throws Exception {
        for (Map.Entry<String, String> job : latest.entrySet()) {
            if (!state(api, job.getKey()).equals(job.getValue())) {
                return false;
            }
        }
        return true;
    }
}
