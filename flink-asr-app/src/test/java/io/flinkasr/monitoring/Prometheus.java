package io.flinkasr.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.util.NetUtils;

/**
 * Debian's {@code prometheus} binary, run with a configuration file on a free loopback port, its data in a
 * folder of its own; asked through its HTTP API. {@link #promtool} runs Debian's {@code promtool}.
 */
final class Prometheus implements AutoCloseable {
    private final Process process;
    private final String url;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread killer;

    private Prometheus(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
        // never outlive the test JVM
        this.killer = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts prometheus with {@code config}, keeping its data and log under {@code dir}, and waits until it is ready. */
    static Prometheus start(Path config, Path dir) throws Exception {
        int port;
        try (NetUtils.Port free = NetUtils.getAvailablePort()) {
            port = free.getPort();
        }
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder("prometheus",
                "--config.file=" + config,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data")),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Prometheus prometheus = new Prometheus(process, "http://127.0.0.1:" + port, log);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!prometheus.ready()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                prometheus.close();
                throw new IllegalStateException("prometheus did not start: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        return prometheus;
    }

    private boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The series an instant query returns now (its {@code data.result}); fails on a query Prometheus rejects. */
    JsonNode query(String promql) throws Exception {
        JsonNode body = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!"success".equals(body.path("status").asText())) {
            throw new AssertionError("Prometheus rejected " + promql + ": " + body);
        }
        return body.path("data").path("result");
    }

    /** GET on the HTTP API, as JSON. */
    JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(answer.body());
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** Runs promtool with the arguments; its exit code and output. */
    static Outcome promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool " + String.join(" ", args) + " did not end");
        }
        return new Outcome(p.exitValue(), output);
    }

    record Outcome(int exitCode, String output) {}

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
