package io.flinkasr.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.ApiClient;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Submits jobs through the ICE API and polls GetSmartHandleJob until they end. Requests are paced below the
 * API's default budget per key (50 a second, asr.api.rate-limit), so that polling a batch is not refused;
 * an answer of Throttling is waited out and asked again.
 */
public final class IceJobs {
    /** How a job ended, and when: seconds after the moment the caller measures from. */
    public record Outcome(String jobId, String input, String state, String errorCode, double seconds) {
        public boolean finished() {
            return "Finished".equals(state);
        }
    }

    /** Told after each round of polls: how many jobs have ended, of how many, seconds since the start. */
    public interface Watcher {
        void polled(int ended, int failed, int total, double seconds);
    }

    public static final double REQUESTS_PER_SECOND = 40;

    private final ApiClient client;
    private final java.util.concurrent.atomic.AtomicInteger submitted = new java.util.concurrent.atomic.AtomicInteger();
    private final Bucket pace = Bucket.builder()
            .addLimit(Bandwidth.builder().capacity(20).refillGreedy(Math.round(REQUESTS_PER_SECOND), Duration.ofSeconds(1)).build())
            .build();

    public IceJobs(ApiClient client) {
        this.client = client;
    }

    /** SubmitASRJob with the file's path as InputFile; returns the JobId. */
    public String submit(Path file, String title) throws IOException, InterruptedException {
        submitted.incrementAndGet();
        return call("SubmitASRJob", Map.of("InputFile", file.toString(), "Title", title)).path("JobId").asText();
    }

    /** How many jobs this client has submitted. */
    public int submitted() {
        return submitted.get();
    }

    public JsonNode job(String jobId) throws IOException, InterruptedException {
        return call("GetSmartHandleJob", Map.of("JobId", jobId));
    }

    /**
     * Polls the jobs that have not ended, one round every {@code every}, until all have ended or
     * {@code timeout} has passed since {@code startNanos}; jobs still running then come back with their
     * last state.
     */
    public List<Outcome> await(Map<String, String> inputsByJobId, long startNanos, Duration every, Duration timeout, Watcher watcher)
            throws IOException, InterruptedException {
        Map<String, Outcome> ended = new LinkedHashMap<>();
        Map<String, String> lastState = new LinkedHashMap<>();
        long deadline = startNanos + timeout.toNanos();
        int failed = 0;
        while (ended.size() < inputsByJobId.size() && System.nanoTime() < deadline) {
            long round = System.nanoTime();
            for (Map.Entry<String, String> e : inputsByJobId.entrySet()) {
                if (ended.containsKey(e.getKey())) {
                    continue;
                }
                JsonNode job = job(e.getKey());
                String state = job.path("State").asText();
                lastState.put(e.getKey(), state);
                if (state.equals("Finished") || state.equals("Failed")) {
                    double at = (System.nanoTime() - startNanos) / 1e9;
                    ended.put(e.getKey(), new Outcome(e.getKey(), e.getValue(), state, job.path("ErrorCode").asText(null), at));
                    if (state.equals("Failed")) {
                        failed++;
                    }
                }
            }
            if (watcher != null) {
                watcher.polled(ended.size(), failed, inputsByJobId.size(), (System.nanoTime() - startNanos) / 1e9);
            }
            long sleep = every.toNanos() - (System.nanoTime() - round);
            if (sleep > 0 && ended.size() < inputsByJobId.size()) {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
        }
        List<Outcome> all = new ArrayList<>();
        double at = (System.nanoTime() - startNanos) / 1e9;
        for (Map.Entry<String, String> e : inputsByJobId.entrySet()) {
            Outcome o = ended.get(e.getKey());
            all.add(o != null ? o : new Outcome(e.getKey(), e.getValue(), lastState.getOrDefault(e.getKey(), "Unknown") + " (timed out)", null, at));
        }
        return all;
    }

    /** Submit → Finished (or Failed) of one file, in seconds, polling every {@code every}. */
    public Outcome run(Path file, String title, Duration every, Duration timeout) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        String jobId = submit(file, title);
        return await(Map.of(jobId, file.getFileName().toString()), t0, every, timeout, null).get(0);
    }

    private JsonNode call(String action, Map<String, String> parameters) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            pace.asBlocking().consume(1);
            ApiClient.Answer answer = client.send(action, parameters);
            if (answer.status() == 200) {
                return answer.body();
            }
            String code = answer.body().path("Code").asText();
            // a read is asked again also when it timed out on its way in (RequestTimeout: a machine so loaded that the
            // request arrived too slowly); a submit is not, as it may have been taken
            boolean again = code.equals("Throttling") || (code.equals("RequestTimeout") && action.equals("GetSmartHandleJob"));
            if (!again || attempt >= 40) {
                throw new IOException(action + " answered " + answer.status() + " " + code + ": " + answer.body().path("Message").asText());
            }
            Thread.sleep(250);
        }
    }
}
