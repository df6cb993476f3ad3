package io.flinkasr.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Grafana dashboard under deploy/grafana/dashboards, as the tests read it: its panels and their queries. */
final class GrafanaDashboard {
    static final Path FILE = Path.of("deploy", "grafana", "dashboards", "flink-asr.json");

    /**
     * What Grafana puts for its interval variables when it sends a query; here for a Prometheus that scrapes
     * every second.
     */
    private static final Map<String, String> VARIABLES = Map.of(
            "$__rate_interval", "30s",
            "$__interval", "10s",
            "$__range", "1h");

    final JsonNode json;

    private GrafanaDashboard(JsonNode json) {
        this.json = json;
    }

    static GrafanaDashboard load() throws IOException {
        return new GrafanaDashboard(Json.MAPPER.readTree(FILE.toFile()));
    }

    /** Every panel that shows data, rows left out (also the panels of collapsed rows). */
    List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : json.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    /** A panel's query as Prometheus gets it from Grafana. */
    record Query(String panel, String refId, String promql) {}

    List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new Query(panel.path("title").asText(), target.path("refId").asText(),
                        substituted(target.path("expr").asText())));
            }
        }
        return queries;
    }

    static String substituted(String expr) {
        String promql = expr;
        for (Map.Entry<String, String> v : VARIABLES.entrySet()) {
            promql = promql.replace(v.getKey(), v.getValue());
        }
        if (promql.contains("$")) {
            throw new IllegalArgumentException("A Grafana variable the tests cannot fill in: " + expr);
        }
        return promql;
    }
}
