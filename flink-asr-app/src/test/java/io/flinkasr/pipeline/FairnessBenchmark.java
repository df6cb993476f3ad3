package io.flinkasr.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 10-second clip's submit → Finished time on an idle local stack, and while an hour of speech is
 * being recognised (submitted first). Run with {@code mvn verify -Pbench -Dit.test=FairnessBenchmark}.
 */
class FairnessBenchmark {
    @TempDir Path tmp;

    @Test
    void clipLatencyBesideALongJob() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        List<SpeechSet.Recording> recordings = SpeechSet.load();
        // about an hour of real speech: the recordings joined with 1 s gaps, 37 times
        Media.Joined hour = Media.joined(recordings, 37, 1.0, tmp, media.resolve("hour.flac"));
        Path clip = SpeechSet.dir().resolve("jfk.flac");
        Configuration config = TestStacks.asUsersRunIt(SpeechSet.dir(), media);
        try (LocalStack stack = LocalStack.start(config, tmp.resolve("data"), 0, null)) {
            AsrApi api = new AsrApi(stack.apiUrl());
            api.await(api.submit(clip.toString()), Duration.ofMinutes(5)); // warm-up
            List<Double> idle = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                idle.add(latency(api, clip));
            }
            long t0 = System.nanoTime();
            String longJob = api.submit(hour.file().toString());
            JsonNode progress;
            do {
                Thread.sleep(500);
                progress = api.call("GetSmartHandleJob", "JobId", longJob).body();
            } while (progress.path("Progress").path("ChunksDone").asInt() < 4);
            List<Double> busy = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                busy.add(latency(api, clip));
                Thread.sleep(3000);
            }
            JsonNode done = api.await(longJob, Duration.ofMinutes(30));
            double longSeconds = (System.nanoTime() - t0) / 1e9;
            JsonNode checkpoints = checkpoints(stack);
            System.out.printf(Locale.ROOT, "%nmachine: %d cores%n| 10 s clip submit → Finished | runs | min | median | max |%n| --- | --- | --- | --- | --- |%n",
                    Runtime.getRuntime().availableProcessors());
            row("idle stack", idle);
            row(String.format(Locale.ROOT, "while %.0f s of speech is recognised", hour.seconds()), busy);
            System.out.printf(Locale.ROOT, "the long job: %s in %.0f s, %d chunks%n", done.path("State").asText(), longSeconds, done.path("Chunks").size());
            JsonNode e2e = checkpoints.path("summary").path("end_to_end_duration");
            System.out.printf(Locale.ROOT, "checkpoints while it ran: %d completed, %d failed; end-to-end duration min %d ms, median %.0f ms, p90 %.0f ms, max %d ms%n",
                    checkpoints.path("counts").path("completed").asInt(), checkpoints.path("counts").path("failed").asInt(),
                    e2e.path("min").asLong(), e2e.path("p50").asDouble(), e2e.path("p90").asDouble(), e2e.path("max").asLong());
        }
    }

    /** Flink's checkpoint statistics of the stack's job, from its REST API. */
    private static JsonNode checkpoints(LocalStack stack) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String jobId = stack.flinkJob().getJobID().toHexString();
        String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.webUi() + "/jobs/" + jobId + "/checkpoints")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return io.flinkasr.records.Json.MAPPER.readTree(body);
    }

    private static double latency(AsrApi api, Path clip) throws Exception {
        long t0 = System.nanoTime();
        JsonNode job = api.await(api.submit(clip.toString()), Duration.ofMinutes(10));
        if (!job.path("State").asText().equals("Finished")) {
            throw new AssertionError(job.toString());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void row(String name, List<Double> seconds) {
        List<Double> sorted = new ArrayList<>(seconds);
        sorted.sort(Double::compare);
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f s | %.2f s | %.2f s |%n", name, sorted.size(),
                sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }
}
