package io.flinkasr.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.flinkasr.api.ApiClient;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the alert rules against real metrics: Debian's {@code prometheus} scrapes the real
 * local stack (the API's /metrics and Flink's Prometheus reporter, every second, with deploy/alerts.yml loaded)
 * while it runs a few jobs, two that finish and one that fails. Then every panel's query of
 * deploy/grafana/dashboards/flink-asr.json must return series, the new metrics must count those jobs, and every
 * metric the alert rules name must exist. promtool checks the rules, runs their unit tests
 * (deploy/alerts-test.yml) and checks the configuration the test gives Prometheus.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringITCase {
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final Path ALERTS = Path.of("deploy", "alerts.yml").toAbsolutePath();
    private static final Pattern METRIC = Pattern.compile("\\b(flink(?:asr)?_[A-Za-z0-9_]+)");

    @TempDir static Path tmp;
    private LocalStack stack;
    private Prometheus prometheus;
    private Path config;
    private final Map<String, JsonNode> ended = new LinkedHashMap<>();
    private String apiErrorCode;

    @BeforeAll
    void startStackAndPrometheusAndRunJobs() throws Exception {
        Path speech = Path.of(System.getProperty("flinkasr.speech.dir", "../shared/speech")).toAbsolutePath().normalize();
        Configuration settings = TestStacks.atParallelismTwo(speech);
        stack = LocalStack.start(settings, tmp.resolve("data"), 0, null);
        config = tmp.resolve("prometheus.yml");
        Files.writeString(config, prometheusConfig(stack));
        prometheus = Prometheus.start(config, Files.createDirectories(tmp.resolve("prometheus")));
        // as in production, Prometheus watches before the jobs come (a counter's first sample is no increase)
        awaitValue("count(up == 1)", 2);
        awaitValue("count(flink_taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records_consumed_total)", 2);

        // printed, not asserted: a starting job fails checkpoints while its tasks load the model (see alerts.yml)
        System.out.printf("Checkpoints of the starting job: %.0f failed, %.0f completed%n",
                value("sum(flink_jobmanager_job_numberOfFailedCheckpoints)"),
                value("sum(flink_jobmanager_job_numberOfCompletedCheckpoints)"));
        ApiClient api = new ApiClient(stack.apiUrl(), null);
        List<String> jobs = new ArrayList<>();
        jobs.add(submit(api, speech.resolve("jfk.flac").toString()));
        jobs.add(submit(api, speech.resolve("test_audio_0.flac").toString()));
        // outside the media roots: the pipeline fails it with InputFile.AccessDenied
        jobs.add(submit(api, tmp.resolve("elsewhere.wav").toString()));
        // an answer with an error Code, for the API errors panel
        apiErrorCode = api.send("GetSmartHandleJob", Map.of("JobId", "no-such-job")).body().path("Code").asText();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        for (String jobId : jobs) {
            while (!ended.containsKey(jobId)) {
                JsonNode job = api.send("GetSmartHandleJob", Map.of("JobId", jobId)).body();
                String state = job.path("State").asText();
                if (state.equals("Finished") || state.equals("Failed")) {
                    ended.put(jobId, job);
                } else if (System.nanoTime() > deadline) {
                    throw new AssertionError("job " + jobId + " did not end: " + job);
                } else {
                    Thread.sleep(200);
                }
            }
        }
    }

    private static String submit(ApiClient api, String inputFile) throws Exception {
        ApiClient.Answer answer = api.send("SubmitASRJob", Map.of("InputFile", inputFile));
        assertThat(answer.status()).as("SubmitASRJob: %s", answer.body()).isEqualTo(200);
        return answer.body().path("JobId").asText();
    }

    /** Scrapes the stack every second as deploy/prometheus.yml scrapes the compose services, with its alert rules. */
    private static String prometheusConfig(LocalStack stack) {
        URI flink = URI.create(stack.flinkMetricsUrl());
        URI api = URI.create(stack.apiUrl());
        return """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: flink
                    static_configs:
                      - targets: ["%s"]
                  - job_name: flink-asr-api
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["%s"]
                """.formatted(ALERTS, flink.getAuthority(), api.getAuthority());
    }

    @AfterAll
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theJobsEndedAsAUserExpects() {
        assertThat(ended.values()).extracting(job -> job.path("State").asText())
                .containsExactly("Finished", "Finished", "Failed");
        assertThat(ended.values()).extracting(job -> job.path("ErrorCode").asText(""))
                .containsExactly("", "", "InputFile.AccessDenied");
    }

    @Test
    void everyDashboardPanelQueryReturnsSeries() throws Exception {
        List<GrafanaDashboard.Query> queries = GrafanaDashboard.load().queries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(30);
        List<GrafanaDashboard.Query> empty = awaitSeries(queries);
        assertThat(empty).as("panel queries that return no series (Prometheus log: %s)", prometheus.log()).isEmpty();
    }

    @Test
    void theNewMetricsCountTheJobs() throws Exception {
        long mediaMillis = 0;
        for (JsonNode job : ended.values()) {
            mediaMillis += Math.round(job.path("Progress").path("MediaSeconds").asDouble() * 1000);
        }
        assertThat(mediaMillis).as("media of the finished jobs").isBetween(15_000L, 16_000L);
        // each once the scrapes have caught up with the ended jobs
        awaitValue("sum(flinkasr_jobs{state=\"Finished\"})", 2);
        awaitValue("sum(flinkasr_jobs{state=\"Failed\"})", 1);
        awaitValue("sum(flinkasr_jobs{state=~\"Created|Executing\"})", 0);
        awaitValue("sum(flink_taskmanager_job_task_operator_jobsFinished)", 2);
        awaitValue("sum(flink_taskmanager_job_task_operator_code_jobsFailed{code=\"InputFile_AccessDenied\"})", 1);
        awaitValue("sum(flink_taskmanager_job_task_operator_audioMillisTranscribed)", mediaMillis);
        awaitValue("sum(flink_taskmanager_job_task_operator_jobMediaSeconds_count)", 2);
        awaitValue("sum(flink_taskmanager_job_task_operator_chunksQueued)", 0);
        awaitValue("max(flinkasr_jobs_without_progress_seconds)", 0);
        awaitValue("sum(flinkasr_api_requests_total{action=\"SubmitASRJob\",code=\"OK\"})", 3);
        awaitValue("sum(flinkasr_api_requests_total{code=\"" + apiErrorCode + "\"})", 1);
        awaitValue("sum(flink_jobmanager_job_numRestarts)", 0);
        // time went by: in the recognisers per chunk, and from submission to Finished per job
        assertThat(value("sum(flink_taskmanager_job_task_operator_recognitionMillis)")).isPositive();
        assertThat(value("sum(flink_taskmanager_job_task_operator_jobMillisTaken)")).isPositive();
        assertThat(value("max(flink_taskmanager_job_task_operator_chunkRecognitionMillis{quantile=\"0.5\"})")).isPositive();
        assertThat(value("sum(flink_taskmanager_job_task_operator_chunksRecognized)")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void everyMetricTheAlertRulesNameExistsAndTheRulesEvaluate() throws Exception {
        JsonNode groups = new YAMLMapper().readTree(ALERTS.toFile()).path("groups");
        TreeSet<String> names = new TreeSet<>();
        int rules = 0;
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                Matcher m = METRIC.matcher(rule.path("expr").asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        assertThat(names).hasSizeGreaterThanOrEqualTo(8);
        List<GrafanaDashboard.Query> queries = names.stream()
                .map(name -> new GrafanaDashboard.Query("alert rules", name, "group(" + name + ")")).toList();
        assertThat(awaitSeries(queries)).as("metrics the alert rules name that Prometheus has not got").isEmpty();

        // loaded from the file, evaluated without error, and quiet on a healthy stack
        int loaded = 0;
        for (JsonNode group : prometheus.get("/api/v1/rules").path("data").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                loaded++;
                assertThat(rule.path("health").asText()).as("%s: %s", rule.path("name"), rule.path("lastError"))
                        .isEqualTo("ok");
                assertThat(rule.path("state").asText()).as("%s on a healthy stack", rule.path("name")).isEqualTo("inactive");
            }
        }
        assertThat(loaded).isEqualTo(rules);
    }

    @Test
    void promtoolAcceptsTheRulesTheirTestsAndTheConfiguration() throws Exception {
        Prometheus.Outcome rules = Prometheus.promtool("check", "rules", ALERTS.toString());
        assertThat(rules.exitCode()).as(rules.output()).isZero();
        assertThat(rules.output()).contains("SUCCESS: 7 rules found");
        Prometheus.Outcome tests = Prometheus.promtool("test", "rules", ALERTS.resolveSibling("alerts-test.yml").toString());
        assertThat(tests.exitCode()).as(tests.output()).isZero();
        Prometheus.Outcome checked = Prometheus.promtool("check", "config", config.toString());
        assertThat(checked.exitCode()).as(checked.output()).isZero();
        assertThat(checked.output()).contains("SUCCESS: 7 rules found");
    }

    /** Asks each query until all return series or the deadline passes; the ones still empty. */
    private List<GrafanaDashboard.Query> awaitSeries(List<GrafanaDashboard.Query> queries) throws Exception {
        List<GrafanaDashboard.Query> empty = new ArrayList<>(queries);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            List<GrafanaDashboard.Query> still = new ArrayList<>();
            for (GrafanaDashboard.Query q : empty) {
                if (prometheus.query(q.promql()).isEmpty()) {
                    still.add(q);
                }
            }
            empty = still;
            if (empty.isEmpty() || System.nanoTime() > deadline) {
                return empty;
            }
            Thread.sleep(1000);
        }
    }

    /** Waits until the query's one value is {@code expected}; fails with the last value otherwise. */
    private void awaitValue(String promql, double expected) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        double last = Double.NaN;
        while (System.nanoTime() < deadline) {
            last = value(promql);
            if (last == expected) {
                return;
            }
            Thread.sleep(500);
        }
        assertThat(last).as(promql).isEqualTo(expected);
    }

    /** The single value of a query; NaN when it returns no series. */
    private double value(String promql) throws Exception {
        JsonNode result = prometheus.query(promql);
        assertThat(result.size()).as("series of %s", promql).isLessThanOrEqualTo(1);
        return result.isEmpty() ? Double.NaN : result.get(0).path("value").get(1).asDouble();
    }
}
