package io.flinkasr.monitoring;

import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitoringITCase {
    @TempDir static Path tmp;

    @Test
    void dump() throws Exception {
        Configuration config = TestStacks.atParallelismTwo(Path.of("../shared/speech").toAbsolutePath());
        try (LocalStack stack = LocalStack.start(config, tmp.resolve("data"), 0, null)) {
            String api = stack.apiUrl();
            var client = new io.flinkasr.api.ApiClient(api, null);
            String id = client.send("SubmitASRJob", java.util.Map.of("InputFile", Path.of("../shared/speech/jfk.flac").toAbsolutePath().toString())).body().path("JobId").asText();
            client.send("SubmitASRJob", java.util.Map.of("InputFile", "/nonexistent.wav"));
            for (int i = 0; i < 120; i++) {
                String st = client.send("GetSmartHandleJob", java.util.Map.of("JobId", id)).body().path("State").asText();
                if (st.equals("Finished") || st.equals("Failed")) break;
                Thread.sleep(500);
            }
            Thread.sleep(3000);
            var http = java.net.http.HttpClient.newHttpClient();
            String flink = http.send(java.net.http.HttpRequest.newBuilder(URI.create(stack.flinkMetricsUrl())).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            String apiM = http.send(java.net.http.HttpRequest.newBuilder(URI.create(api + "metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            Files.writeString(Path.of("target/flink-metrics.txt"), flink);
            Files.writeString(Path.of("target/api-metrics.txt"), apiM);
        }
    }
}
