package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.testing.FreePorts;
import com.adobe.testing.s3mock.S3MockApplication;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Media from where a media platform keeps it: an S3-compatible object store (S3Mock, started here) as
 * s3:// and oss://, and an HTTP server, fetched in bounded steps by the running pipeline; and the
 * requests a server that fetches user-given URLs must refuse, while a good job beside them finishes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteMediaITCase {
    private static final String BUCKET = "uploads";

    @TempDir static Path tmp;
    private S3MockApplication s3;
    private HttpServer http;
    private ServerSocket silent;
    private final List<Socket> held = new ArrayList<>();
    private final AtomicInteger httpHits = new AtomicInteger();
    private LocalStack stack;
    private int apiPort;
    private int restPort;
    private AsrApi api;
    private byte[] clip;

    @BeforeAll
    void start() throws Exception {
        Path ogg = tmp.resolve("jfk.ogg");
        Media.run("ffmpeg", "-v", "error", "-y", "-i", SpeechSet.dir().resolve("jfk.flac").toString(), "-c:a", "libopus", ogg.toString());
        clip = Files.readAllBytes(ogg);

        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        Map<String, Object> props = new HashMap<>();
        props.put(S3MockApplication.PROP_HTTP_PORT, S3MockApplication.RANDOM_PORT);
        props.put(S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT);
        props.put(S3MockApplication.PROP_INITIAL_BUCKETS, BUCKET);
        props.put(S3MockApplication.PROP_ROOT_DIRECTORY, Files.createDirectories(tmp.resolve("s3")).toString());
        props.put(S3MockApplication.PROP_SILENT, true);
        props.put("spring.main.banner-mode", "off");
        s3 = S3MockApplication.start(props);
        String endpoint = "http://127.0.0.1:" + s3.getHttpPort();
        MinioClient.builder().endpoint(endpoint).credentials("ops", "ops-secret").build().putObject(
                PutObjectArgs.builder().bucket(BUCKET).object("talks/jfk.ogg")
                        .stream(new ByteArrayInputStream(clip), clip.length, -1).build());

        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            httpHits.incrementAndGet();
            if (exchange.getRequestURI().getPath().equals("/media/jfk.ogg")) {
                exchange.sendResponseHeaders(200, clip.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(clip);
                }
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        http.start();
        silent = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept()); // accepts, never answers
                } catch (Exception e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();

        Configuration config = TestStacks.atParallelismTwo(SpeechSet.dir());
        config.set(AsrOptions.S3_ENDPOINT, endpoint);
        config.set(AsrOptions.S3_ACCESS_KEY, "ops");
        config.set(AsrOptions.S3_SECRET_KEY, "ops-secret");
        // the test's own servers live on 127.0.0.1; only that one address is allowed, on their ports, and
        // (to show that the service never fetches from itself) on the ports of the stack's API and Flink REST
        List<Integer> ports = FreePorts.take(2);
        apiPort = ports.get(0);
        restPort = ports.get(1);
        config.set(RestOptions.BIND_PORT, String.valueOf(restPort));
        config.set(AsrOptions.HTTP_ALLOWED_ADDRESSES, List.of("127.0.0.1/32"));
        config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(http.getAddress().getPort(), silent.getLocalPort(), apiPort, restPort));
        config.set(AsrOptions.FETCH_READ_TIMEOUT, Duration.ofSeconds(3));
        config.set(AsrOptions.FETCH_STEP_BYTES, MemorySize.parse("16kb"));
        config.set(AsrOptions.STAGING_DIR, tmp.resolve("staging").toString());
        stack = LocalStack.start(config, tmp.resolve("data"), apiPort, null);
        api = new AsrApi(stack.apiUrl());
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (s3 != null) {
            s3.stop();
        }
        if (http != null) {
            http.stop(0);
        }
        silent.close();
        for (Socket s : held) {
            s.close();
        }
    }

    @Test
    void objectsAndUrlsAreFetchedInStepsAndTranscribed() throws Exception {
        Map<String, String> jobs = new LinkedHashMap<>();
        jobs.put("s3", api.submit("s3://" + BUCKET + "/talks/jfk.ogg"));
        jobs.put("oss", api.submit("oss://" + BUCKET + "/talks/jfk.ogg"));
        jobs.put("http", api.submit("http://127.0.0.1:" + http.getAddress().getPort() + "/media/jfk.ogg"));
        for (Map.Entry<String, String> e : jobs.entrySet()) {
            JsonNode job = api.await(e.getValue(), Duration.ofMinutes(3));
            assertThat(job.path("State").asText()).as("%s: %s", e.getKey(), job.path("ErrorMessage")).isEqualTo("Finished");
            assertThat(AsrApi.text(AsrApi.segments(job)).toLowerCase()).contains("what you can do for your country");
        }
        try (var staged = Files.walk(tmp.resolve("staging"))) {
            assertThat(staged.filter(Files::isRegularFile))
                    .as("staged copies and the chunks' staged audio are deleted when their job ends").isEmpty();
        }
    }

    /**
     * The confused deputy: an InputFile that is a request to the API itself (unsigned, from loopback, so it
     * would speak for the stack's first key) or to Flink's REST endpoint, on an allow-listed address and
     * port. The fetcher must not send it: the job fails and no other job appears.
     */
    @Test
    void theFetcherNeverReachesTheStacksOwnListeners() throws Exception {
        int jobsBefore = api.call("ListSmartJobs", "MaxResults", "100").body().path("TotalCount").asInt();
        String inner = SpeechSet.dir().resolve("jfk.flac").toString();
        List<String> own = List.of(
                "http://127.0.0.1:" + apiPort + "/?Action=SubmitASRJob&InputFile=" + inner + "&Title=planted",
                "http://localhost:" + apiPort + "/?Action=ListSmartJobs",
                "http://127.0.0.1:" + restPort + "/jars",
                "http://127.0.0.1:" + restPort + "/jobs/overview");
        List<String> submitted = new ArrayList<>();
        for (String url : own) {
            submitted.add(api.submit(url));
        }
        for (String jobId : submitted) {
            JsonNode job = api.await(jobId, Duration.ofMinutes(2));
            assertThat(job.path("State").asText()).isEqualTo("Failed");
            assertThat(job.path("ErrorCode").asText()).isEqualTo("InputFile.AccessDenied");
        }
        JsonNode list = api.call("ListSmartJobs", "MaxResults", "100").body();
        assertThat(list.path("TotalCount").asInt()).as("no job was planted through the fetcher").isEqualTo(jobsBefore + own.size());
        list.path("SmartJobList").forEach(job -> assertThat(job.path("Title").asText()).isNotEqualTo("planted"));
    }

    @Test
    void urlsItMustNotFetchFailWithTheirCodeAndAGoodJobBesideThemFinishes() throws Exception {
        int hitsBefore = httpHits.get();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(api.submit("http://10.0.0.7/talk.mp3"), "InputFile.AccessDenied");
        expected.put(api.submit("http://169.254.169.254/latest/meta-data/iam"), "InputFile.AccessDenied");
        expected.put(api.submit("http://127.0.0.2:" + http.getAddress().getPort() + "/media/jfk.ogg"), "InputFile.AccessDenied");
        expected.put(api.submit("http://0x7f000002:" + http.getAddress().getPort() + "/media/jfk.ogg"), "InputFile.AccessDenied");
        expected.put(api.submit("http://[::1]:" + http.getAddress().getPort() + "/media/jfk.ogg"), "InputFile.AccessDenied");
        expected.put(api.submit("http://user:pw@127.0.0.1:" + http.getAddress().getPort() + "/media/jfk.ogg"), "InvalidParameter.InputFile");
        expected.put(api.submit("http://127.0.0.1:" + http.getAddress().getPort() + "/media/missing.ogg"), "InputFile.NotFound");
        expected.put(api.submit("http://127.0.0.1:" + silent.getLocalPort() + "/never.mp3"), "InputFile.Timeout");
        expected.put(api.submit("s3://" + BUCKET + "/no/such/key.mp4"), "InputFile.NotFound");
        expected.put(api.submit("oss://" + BUCKET + ".evil.example.com/talks/jfk.ogg"), "InputFile.AccessDenied");
        expected.put(api.submit("gopher://127.0.0.1/x"), "InvalidParameter.InputFile");
        String good = api.submit(SpeechSet.dir().resolve("test_audio_1.flac").toString());

        for (Map.Entry<String, String> e : expected.entrySet()) {
            JsonNode job = api.await(e.getKey(), Duration.ofMinutes(2));
            assertThat(job.path("State").asText()).as("%s", job.path("SmartJobInfo").path("InputConfig").path("InputFile")).isEqualTo("Failed");
            assertThat(job.path("ErrorCode").asText()).as("%s", job.path("SmartJobInfo").path("InputConfig").path("InputFile")).isEqualTo(e.getValue());
            assertThat(job.path("ErrorMessage").asText()).doesNotContain("127.0.0.1").doesNotContain("secret");
        }
        assertThat(api.await(good, Duration.ofMinutes(2)).path("State").asText()).isEqualTo("Finished");
        assertThat(httpHits.get() - hitsBefore).as("only the missing file reached the HTTP server").isEqualTo(1);
    }
}
