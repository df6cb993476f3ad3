package io.flinkasr.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.Json;
import io.flinkasr.records.Segment;
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

/** The tests' HTTP client of the API: form-encoded POSTs as the ICE OpenAPI is called. */
final class AsrApi {
    record Answer(int status, JsonNode body) {}

    private final HttpClient http = HttpClient.newHttpClient();
    private final String endpoint;

    AsrApi(String endpoint) {
        this.endpoint = endpoint;
    }

    Answer call(String action, String... params) throws Exception {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("Action", action);
        for (int i = 0; i < params.length; i += 2) {
            form.put(params[i], params[i + 1]);
        }
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(endpoint))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), Json.MAPPER.readTree(response.body()));
    }

    String submit(String inputFile, String... params) throws Exception {
        String[] all = new String[params.length + 2];
        all[0] = "InputFile";
        all[1] = inputFile;
        System.arraycopy(params, 0, all, 2, params.length);
        Answer a = call("SubmitASRJob", all);
        if (a.status() != 200) {
            throw new AssertionError("SubmitASRJob answered " + a.status() + ": " + a.body());
        }
        return a.body().path("JobId").asText();
    }

    /** Polls GetSmartHandleJob until the job is Finished or Failed. */
    JsonNode await(String jobId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = call("GetSmartHandleJob", "JobId", jobId).body();
            String state = job.path("State").asText();
            if (state.equals("Finished") || state.equals("Failed")) {
                return job;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + jobId + " did not end within " + timeout);
    }

    static Segment[] segments(JsonNode job) throws Exception {
        return Json.MAPPER.readValue(job.path("JobResult").path("AiResult").asText(), Segment[].class);
    }

    static String text(Segment[] segments) {
        StringBuilder b = new StringBuilder();
        for (Segment s : segments) {
            b.append(s.content).append(' ');
        }
        return b.toString().strip();
    }
}
