package io.flinkasr.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Asks a Flink cluster's REST endpoint ({@code GET /jobs/overview}) for the state of the job named
 * {@code flink-asr}: RUNNING if one runs, else the state of the newest one, else NOT_SUBMITTED. The answer
 * is kept for a second, so that however often {@code /health} is asked, Flink is asked at most once a second.
 * With several JobManagers (a leader and standbys), give each one's REST address, comma-separated: they are
 * asked in turn until one answers, the one that answered last first, so a dead JobManager does not make
 * {@code /health} report the pipeline down while another leads.
 */
public final class FlinkRestHealth implements PipelineHealth {
    static final String JOB_NAME = "flink-asr";
    private static final Duration KEEP = Duration.ofSeconds(1);

    private final List<URI> overviews;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String last = "UNKNOWN";
    private long askedAtNanos;
    private boolean asked;
    private int answeredLast;

    /** @param restUrls one JobManager's REST address, or several, comma-separated */
    public FlinkRestHealth(String restUrls) {
        this.overviews = Arrays.stream(restUrls.split(",")).map(String::strip).filter(u -> !u.isEmpty())
                .map(u -> URI.create(u.endsWith("/") ? u : u + "/").resolve("jobs/overview")).toList();
        if (overviews.isEmpty()) {
            throw new IllegalArgumentException("no Flink REST address in '" + restUrls + "'");
        }
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
        String first = null;
        for (int i = 0; i < overviews.size(); i++) {
            int at = (answeredLast + i) % overviews.size();
            String state = ask(overviews.get(at));
            if (!state.startsWith("FLINK_REST_") && !state.equals("UNKNOWN")) {
                answeredLast = at;
                return state;
            }
            first = first == null ? state : first;
        }
        return first;
    }

    private String ask(URI overview) {
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
