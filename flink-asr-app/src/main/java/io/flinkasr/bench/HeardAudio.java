package io.flinkasr.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * The seconds of audio the recognizers have been fed, from the local stack's Flink metrics (the recognition
 * operator's {@code audioMillisRecognized}, summed over its subtasks): a batch's share of it against the batch's own
 * audio is what chunking adds (the context heard before each chunk, the overlaps where a cut is no pause), a figure
 * that, unlike CPU time, the machine's speed does not move.
 */
final class HeardAudio {
    static final String METRIC = "flink_taskmanager_job_task_operator_audioMillisRecognized";

    private HeardAudio() {}

    /** The seconds heard so far, or empty where the metrics cannot be read. */
    static OptionalDouble seconds(String metricsUrl) {
        if (metricsUrl == null) {
            return OptionalDouble.empty();
        }
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 ? OptionalDouble.of(sum(answer.body()) / 1000) : OptionalDouble.empty();
        } catch (IOException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
    }

    /** The sum of the metric's samples in a Prometheus text exposition. */
    static double sum(String exposition) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(METRIC + "{") || line.startsWith(METRIC + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        return total;
    }
}
