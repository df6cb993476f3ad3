package io.flinkasr.pipeline;

import io.flinkasr.testing.Await;
import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.AccessKey;
import io.flinkasr.api.ApiClient;
import io.flinkasr.records.Json;
import io.flinkasr.records.Segment;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The tests' client of the API: {@link ApiClient} (signed when given a key) plus polling. */
final class AsrApi {
    private final ApiClient client;

    AsrApi(String endpoint) {
        this(endpoint, null);
    }

    AsrApi(String endpoint, AccessKey key) {
        this.client = new ApiClient(endpoint, key);
    }

    ApiClient.Answer call(String action, String... params) throws Exception {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return client.send(action, map);
    }

    String submit(String inputFile, String... params) throws Exception {
        String[] all = new String[params.length + 2];
        all[0] = "InputFile";
        all[1] = inputFile;
        System.arraycopy(params, 0, all, 2, params.length);
        ApiClient.Answer a = call("SubmitASRJob", all);
        if (a.status() != 200) {
            throw new AssertionError("SubmitASRJob answered " + a.status() + ": " + a.body());
        }
        return a.body().path("JobId").asText();
    }

    /** Asks GetSmartHandleJob until the job is Finished or Failed. */
    JsonNode await(String jobId, Duration timeout) throws Exception {
        return Await.until("job " + jobId + " Finished or Failed", timeout, Duration.ofMillis(200),
                () -> call("GetSmartHandleJob", "JobId", jobId).body(),
                job -> job.path("State").asText().equals("Finished") || job.path("State").asText().equals("Failed"));
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
