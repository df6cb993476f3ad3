package io.flinkasr.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The provisioning files are consistent with each other: every panel of the dashboard has the provisioned
 * Prometheus data source and a query, and docker-compose.yml mounts the dashboard where the provider looks and
 * the alert rules where prometheus.yml names them. (MonitoringITCase runs the queries and rules for real.)
 */
class GrafanaDashboardTest {
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void everyPanelHasThePrometheusDataSourceAndAQuery() throws Exception {
        GrafanaDashboard dashboard = GrafanaDashboard.load();
        String dataSource = YAML.readTree(Path.of("deploy", "grafana", "datasources.yml").toFile())
                .path("datasources").get(0).path("uid").asText();
        assertThat(dashboard.json.path("uid").asText()).isEqualTo("flink-asr");
        assertThat(dashboard.panels()).hasSizeGreaterThanOrEqualTo(20);
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.panels()) {
            String title = panel.path("title").asText();
            assertThat(title).isNotBlank();
            assertThat(ids.add(panel.path("id").asInt())).as("panel id of %s unique", title).isTrue();
            assertThat(panel.path("datasource").path("uid").asText()).as("data source of %s", title).isEqualTo(dataSource);
            assertThat(panel.path("targets")).as("queries of %s", title).isNotEmpty();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as("query of %s", title).isNotBlank();
                assertThat(refIds.add(target.path("refId").asText())).as("refId of %s unique", title).isTrue();
                assertThat(target.path("datasource").path("uid").asText()).as("data source of %s", title)
                        .isEqualTo(dataSource);
            }
            assertThat(panel.path("gridPos").path("w").asInt()).as("width of %s", title).isBetween(1, 24);
        }
    }

    @Test
    void theDashboardCoversWhatAnOperatorWatches() throws Exception {
        List<String> queries = GrafanaDashboard.load().queries().stream().map(GrafanaDashboard.Query::promql).toList();
        String all = String.join("\n", queries);
        assertThat(all).contains("flinkasr_jobs", "audioMillisRecognized", "jobMillisTaken", "recognitionMillis",
                "chunksQueued", "busyTimeMsPerSecond", "backPressuredTimeMsPerSecond", "lastCheckpointDuration",
                "numberOfFailedCheckpoints", "numRestarts", "flinkasr_api_requests_total", "code_jobsFailed",
                "flink_taskmanager_Status_JVM_Memory_Heap_Used", "chunkRecognitionMillis");
    }

    @Test
    void composeMountsTheDashboardWhereTheProviderLooks() throws Exception {
        JsonNode compose = YAML.readTree(Path.of("docker-compose.yml").toFile());
        List<String> grafana = strings(compose.path("services").path("grafana").path("volumes"));
        String providerPath = YAML.readTree(Path.of("deploy", "grafana", "dashboards.yml").toFile())
                .path("providers").get(0).path("options").path("path").asText();
        assertThat(grafana).contains("./deploy/grafana/dashboards:" + providerPath + ":ro",
                "./deploy/grafana/dashboards.yml:/etc/grafana/provisioning/dashboards/dashboards.yml:ro");
        assertThat(compose.path("services").path("grafana").path("environment")
                .path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText())
                .isEqualTo(providerPath + "/" + GrafanaDashboard.FILE.getFileName());
    }

    @Test
    void prometheusLoadsTheAlertRulesComposeMounts() throws Exception {
        JsonNode compose = YAML.readTree(Path.of("docker-compose.yml").toFile());
        List<String> prometheus = strings(compose.path("services").path("prometheus").path("volumes"));
        List<String> ruleFiles = strings(YAML.readTree(Path.of("deploy", "prometheus.yml").toFile()).path("rule_files"));
        assertThat(ruleFiles).containsExactly("alerts.yml");
        assertThat(prometheus).contains("./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                "./deploy/alerts.yml:/etc/prometheus/alerts.yml:ro");
        assertThat(Files.exists(Path.of("deploy", "alerts.yml"))).isTrue();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).filter(JsonNode::isTextual).map(JsonNode::asText).toList();
    }
}
