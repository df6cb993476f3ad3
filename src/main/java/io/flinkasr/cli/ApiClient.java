package io.flinkasr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A small client of flink-asr's API, as the command line uses it: form-encoded POSTs of ICE actions. */
final class ApiClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String endpoint;

    ApiClient(String endpoint) {
        this.endpoint = endpoint;
    }

    JsonNode call(String action, Map<String, String> parameters) throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("Action", action);
        form.put("Version", "2020-11-09");
        form.putAll(parameters);
        String body = form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode json = Json.MAPPER.readTree(response.body());
        if (response.statusCode() != 200) {
            throw new IOException(action + " answered " + json.path("Code").asText() + ": " + json.path("Message").asText());
        }
        return json;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
