package io.flinkasr.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks a Flink cluster's REST endpoint ({@code GET /jobs/overview}) for the state of the job named
 * {@code flink-asr}: RUNNING if one runs, else the state of the newest one, else NOT_SUBMITTED. The answer
 * is kept for a second, so that however often {@code /health} is asked, Flink is asked at most once a second.
 */
public final class FlinkRestHealth implements PipelineHealth {
    static final String JOB_NAME = "flink-asr";
    private static final Duration KEEP = Duration.ofSeconds(1);

    private final URI overview;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String last = "UNKNOWN";
    private long askedAtNanos;
    private boolean asked;

    public FlinkRestHealth(String restUrl) {
        String base = restUrl.endsWith("/") ? restUrl : restUrl + "/";
        this.overview = URI.create(base).resolve("jobs/overview");
    }

    @Override
    public synchronized String pipelineState() {
        if (asked && System.nanoTime() - askedAtNanos < KEEP.toNanos()) {
            return last;
        }
        last = ask();
        asked = true;
        askedAtNanos = System.nanoTime();
        return last;
    }

    private String ask() {
        try {
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(overview).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                return "FLINK_REST_HTTP_" + answer.statusCode();
            }
            String newest = "NOT_SUBMITTED";
            long newestStart = Long.MIN_VALUE;
            for (JsonNode job : Json.MAPPER.readTree(answer.body()).path("jobs")) {
                if (!JOB_NAME.equals(job.path("name").asText())) {
                    continue;
                }
                String state = job.path("state").asText();
                if (RUNNING.equals(state)) {
                    return RUNNING;
                }
                if (job.path("start-time").asLong() > newestStart) {
                    newestStart = job.path("start-time").asLong();
                    newest = state;
                }
            }
            return newest;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "UNKNOWN";
        } catch (Exception e) {
            return "FLINK_REST_UNREACHABLE";
        }
    }
}
