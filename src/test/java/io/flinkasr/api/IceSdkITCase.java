package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.aliyun.ice20201109.Client;
import com.aliyun.ice20201109.models.GetMediaInfoRequest;
import com.aliyun.ice20201109.models.GetMediaInfoResponseBody;
import com.aliyun.ice20201109.models.GetSmartHandleJobRequest;
import com.aliyun.ice20201109.models.RegisterMediaInfoRequest;
import com.aliyun.ice20201109.models.GetSmartHandleJobResponseBody;
import com.aliyun.ice20201109.models.ListSmartJobsRequest;
import com.aliyun.ice20201109.models.ListSmartJobsResponseBody;
import com.aliyun.ice20201109.models.SubmitASRJobRequest;
import com.aliyun.ice20201109.models.SubmitASRJobResponseBody;
import com.aliyun.tea.TeaException;
import com.aliyun.teaopenapi.models.Config;
import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.ApiClient;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import io.flinkasr.records.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Alibaba Cloud ICE SDK ({@code com.aliyun:ice20201109:2.3.0}), unmodified, against the
 * local stack: it submits, polls and parses Finished and Failed jobs with both of its signatures, and
 * every refused request gets ICE's Code and creates or shows no job.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IceSdkITCase {
    private static final AccessKey A = new AccessKey(1234562230123456L, "LTAIkeyOfTenantA", "secretOfTenantA");
    private static final AccessKey B = new AccessKey(7654321000000001L, "LTAIkeyOfTenantB", "secretOfTenantB");
    private static final Path SPEECH = Path.of(System.getProperty("flinkasr.speech.dir", "../shared/speech")).toAbsolutePath().normalize();

    @TempDir static Path tmp;
    private LocalStack stack;
    private int port;

    @BeforeAll
    void start() throws Exception {
        Path users = tmp.resolve("users.json");
        Files.write(users, Json.MAPPER.writeValueAsBytes(List.of(A, B)));
        Configuration config = TestStacks.atParallelismTwo(SPEECH);
        config.set(AsrOptions.UNSIGNED_FROM_LOOPBACK, false);
        stack = LocalStack.start(config, tmp.resolve("data"), 0, users);
        port = URI.create(stack.apiUrl()).getPort();
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private Client sdk(AccessKey key) throws Exception {
        return new Client(new Config()
                .setAccessKeyId(key.accessKeyId)
                .setAccessKeySecret(key.accessKeySecret)
                .setEndpoint("127.0.0.1:" + port)
                .setProtocol("http"));
    }

    private static GetSmartHandleJobResponseBody await(Client client, String jobId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            GetSmartHandleJobResponseBody job = client.getSmartHandleJob(new GetSmartHandleJobRequest().setJobId(jobId)).getBody();
            if (job.getState().equals("Finished") || job.getState().equals("Failed")) {
                return job;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("job " + jobId + " did not end");
    }

    private static TeaException refused(ThrowingCall call) {
        TeaException e = catchThrowableOfType(TeaException.class, call::run);
        assertThat(e).as("the request was refused").isNotNull();
        return e;
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    private long jobsOf(Client client) throws Exception {
        ListSmartJobsResponseBody list = client.listSmartJobs(new ListSmartJobsRequest().setJobType("ASR").setMaxResults(100L)).getBody();
        return Long.parseLong(list.getTotalCount());
    }

    @Test
    void theSdkSubmitsPollsAndParsesFinishedAndFailedJobs() throws Exception {
        Client client = sdk(A);
        SubmitASRJobResponseBody submitted = client.submitASRJob(new SubmitASRJobRequest()
                .setInputFile(SPEECH.resolve("jfk.flac").toString())
                .setTitle("JFK inaugural")
                .setDescription("ask not")
                .setUserData("{\"user\":\"data\",\"env\":\"prod\"}")
                .setStartTime("00:00:00")
                .setDuration("00:00:11.5")).getBody();
        assertThat(submitted.getState()).isEqualTo("Created");
        assertThat(submitted.getRequestId()).isNotBlank();
        String missing = client.submitASRJob(new SubmitASRJobRequest().setInputFile(SPEECH.resolve("nope.wav").toString())).getBody().getJobId();

        GetSmartHandleJobResponseBody job = await(client, submitted.getJobId());
        assertThat(job.getState()).isEqualTo("Finished");
        assertThat(job.getJobId()).isEqualTo(submitted.getJobId());
        assertThat(job.getUserData()).isEqualTo("{\"user\":\"data\",\"env\":\"prod\"}");
        assertThat(job.getOutput()).isEqualTo(job.getJobResult().getAiResult());
        JsonNode segments = Json.MAPPER.readTree(job.getJobResult().getAiResult());
        assertThat(segments.isArray()).isTrue();
        assertThat(segments.get(0).has("content")).isTrue();
        assertThat(segments.get(0).get("from").isNumber()).isTrue();
        assertThat(segments.toString().toLowerCase()).contains("your country");
        assertThat(job.getSmartJobInfo().getJobType()).isEqualTo("ASR");
        assertThat(job.getSmartJobInfo().getTitle()).isEqualTo("JFK inaugural");
        assertThat(job.getSmartJobInfo().getDescription()).isEqualTo("ask not");
        assertThat(job.getSmartJobInfo().getUserId()).isEqualTo(String.valueOf(A.userId));
        assertThat(job.getSmartJobInfo().getCreateTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(job.getSmartJobInfo().getInputConfig().getInputFile()).endsWith("jfk.flac");

        GetSmartHandleJobResponseBody failed = await(client, missing);
        assertThat(failed.getState()).isEqualTo("Failed");

        ListSmartJobsResponseBody list = client.listSmartJobs(new ListSmartJobsRequest().setJobType("ASR").setMaxResults(1L)).getBody();
        assertThat(list.getSmartJobList()).hasSize(1);
        assertThat(list.getSmartJobList().get(0).getUserId()).isEqualTo(A.userId);
        assertThat(list.getNextToken()).isNotBlank();
        ListSmartJobsResponseBody finished = client.listSmartJobs(new ListSmartJobsRequest().setJobState("Finished").setMaxResults(100L)).getBody();
        assertThat(finished.getSmartJobList()).extracting(j -> j.getJobId()).contains(submitted.getJobId()).doesNotContain(missing);
    }

    @Test
    void theSdkWorksWithItsAcs3SignatureToo() throws Exception {
        Client client = sdk(A);
        client._signatureAlgorithm = "ACS3-HMAC-SHA256";
        String jobId = client.submitASRJob(new SubmitASRJobRequest().setInputFile(SPEECH.resolve("test_audio_0.flac").toString())).getBody().getJobId();
        assertThat(await(client, jobId).getState()).isEqualTo("Finished");
        Client forged = sdk(new AccessKey(A.userId, A.accessKeyId, "not the secret"));
        forged._signatureAlgorithm = "ACS3-HMAC-SHA256";
        assertThat(refused(() -> forged.getSmartHandleJob(new GetSmartHandleJobRequest().setJobId(jobId))).getCode())
                .isEqualTo("SignatureDoesNotMatch");
    }

    @Test
    void everyBadRequestGetsItsCodeAndCreatesNoJob() throws Exception {
        Client client = sdk(A);
        long before = jobsOf(client);
        String jfk = SPEECH.resolve("jfk.flac").toString();

        Client forged = sdk(new AccessKey(A.userId, A.accessKeyId, "not the secret"));
        assertThat(refused(() -> forged.submitASRJob(new SubmitASRJobRequest().setInputFile(jfk))).getCode()).isEqualTo("SignatureDoesNotMatch");
        Client stranger = sdk(new AccessKey(1, "LTAIunknown", "whatever"));
        TeaException unknown = refused(() -> stranger.submitASRJob(new SubmitASRJobRequest().setInputFile(jfk)));
        assertThat(unknown.getCode()).isEqualTo("InvalidAccessKeyId.NotFound");
        assertThat(unknown.getStatusCode()).isEqualTo(404);

        assertThat(refused(() -> client.submitASRJob(new SubmitASRJobRequest().setTitle("no input"))).getCode()).isEqualTo("MissingParameter");
        assertThat(refused(() -> client.submitASRJob(new SubmitASRJobRequest().setInputFile(jfk).setTitle("t".repeat(129)))).getCode()).isEqualTo("InvalidParameter");
        assertThat(refused(() -> client.submitASRJob(new SubmitASRJobRequest().setInputFile(jfk).setDescription("é".repeat(65)))).getCode()).isEqualTo("InvalidParameter");
        assertThat(refused(() -> client.submitASRJob(new SubmitASRJobRequest().setInputFile(jfk).setStartTime("1 minute"))).getCode()).isEqualTo("InvalidParameter");
        assertThat(refused(() -> client.submitASRJob(new SubmitASRJobRequest().setInputFile(jfk).setDuration("00:00:00"))).getCode()).isEqualTo("InvalidParameter");
        assertThat(refused(() -> client.submitASRJob(new SubmitASRJobRequest().setInputFile(jfk).setUserData("{broken"))).getCode()).isEqualTo("InvalidParameter");

        // parameters the SDK's model lacks, sent by a client that signs the same way
        ApiClient raw = new ApiClient(stack.apiUrl(), A);
        ApiClient.Answer sentence = raw.send("SubmitASRJob", Map.of("InputFile", jfk, "EditingConfig", "{\"SentenceMaxLength\":51}"));
        assertThat(sentence.status()).isEqualTo(400);
        assertThat(sentence.body().path("Code").asText()).isEqualTo("InvalidParameter");

        // a stale timestamp, and a nonce used twice
        Map<String, String> stale = signed(A, "ListSmartJobs", Map.of(), Instant.now().minus(Duration.ofHours(1)), "nonce-" + System.nanoTime());
        assertThat(post(stale).path("Code").asText()).isEqualTo("InvalidTimeStamp.Expired");
        Map<String, String> once = signed(A, "SubmitASRJob", Map.of("InputFile", jfk), Instant.now(), "nonce-" + System.nanoTime());
        assertThat(post(once).path("JobId").asText()).isNotBlank();
        assertThat(post(once).path("Code").asText()).isEqualTo("SignatureNonceUsed");
        // unsigned requests are refused (this stack does not accept them even from loopback)
        assertThat(new ApiClient(stack.apiUrl(), null).send("ListSmartJobs", Map.of()).body().path("Code").asText()).isEqualTo("MissingParameter");

        assertThat(jobsOf(client)).as("only the one good replayed-once submit created a job").isEqualTo(before + 1);
    }

    @Test
    void wordTimingsAndSentenceLengthAreHonoured() throws Exception {
        ApiClient raw = new ApiClient(stack.apiUrl(), A);
        String jobId = raw.call("SubmitASRJob", Map.of(
                "InputFile", SPEECH.resolve("jfk.flac").toString(),
                "EditingConfig", "{\"SentenceMaxLength\":4}",
                "JobParameters", "{\"request_params\":\"&enable_word_level_result=true\"}")).path("JobId").asText();

        GetSmartHandleJobResponseBody job = await(sdk(A), jobId);

        assertThat(job.getState()).isEqualTo("Finished");
        JsonNode segments = Json.MAPPER.readTree(job.getJobResult().getAiResult());
        assertThat(segments.size()).isGreaterThanOrEqualTo(5);
        for (JsonNode segment : segments) {
            JsonNode words = segment.path("words");
            assertThat(words.size()).isBetween(1, 4);
            assertThat(segment.path("content").asText().split(" ")).hasSize(words.size());
            for (JsonNode w : words) {
                assertThat(w.path("start").asDouble()).isBetween(segment.path("from").asDouble(), segment.path("to").asDouble());
                assertThat(w.path("end").asDouble()).isGreaterThan(w.path("start").asDouble());
                assertThat(w.path("conf").asDouble()).isBetween(0.0, 1.0);
            }
        }
        JsonNode viaApi = raw.call("GetSmartHandleJob", Map.of("JobId", jobId));
        assertThat(viaApi.path("SmartJobInfo").path("InputConfig").path("JobParameters").asText()).contains("enable_word_level_result=true");
    }

    @Test
    void aRegisteredMediaAssetIsAnInputFileAndOutlivesTheApi() throws Exception {
        Client a = sdk(A);
        String url = SPEECH.resolve("test_audio_0.flac").toString();
        String mediaId = a.registerMediaInfo(new RegisterMediaInfoRequest()
                .setInputURL(url).setMediaType("audio").setTitle("a man said")).getBody().getMediaId();
        assertThat(mediaId).isNotBlank();

        String jobId = a.submitASRJob(new SubmitASRJobRequest().setInputFile(mediaId)).getBody().getJobId();
        GetSmartHandleJobResponseBody job = await(a, jobId);
        assertThat(job.getState()).isEqualTo("Finished");
        assertThat(job.getSmartJobInfo().getInputConfig().getInputFile()).isEqualTo(mediaId);
        assertThat(job.getJobResult().getAiResult().toLowerCase()).contains("universe");

        GetMediaInfoResponseBody info = a.getMediaInfo(new GetMediaInfoRequest().setMediaId(mediaId)).getBody();
        assertThat(info.getMediaInfo().getMediaBasicInfo().getInputURL()).isEqualTo(url);
        assertThat(info.getMediaInfo().getMediaBasicInfo().getTitle()).isEqualTo("a man said");
        assertThat(a.getMediaInfo(new GetMediaInfoRequest().setInputURL(url)).getBody().getMediaInfo().getMediaId()).isEqualTo(mediaId);
        assertThat(refused(() -> a.registerMediaInfo(new RegisterMediaInfoRequest().setInputURL(url))).getCode()).isEqualTo("InvalidParameter.InputURL");
        assertThat(refused(() -> sdk(B).getMediaInfo(new GetMediaInfoRequest().setMediaId(mediaId))).getCode()).isEqualTo("InvalidParameter.MediaId");
        // another tenant cannot use the MediaId as an InputFile either: to them it is just a (missing) path
        String theirs = sdk(B).submitASRJob(new SubmitASRJobRequest().setInputFile(mediaId)).getBody().getJobId();
        assertThat(await(sdk(B), theirs).getState()).isEqualTo("Failed");

        Configuration config = new Configuration();
        config.set(AsrOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        try (Catalog catalog = new Catalog(config)) {
            assertThat(catalog.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(catalog.asset(mediaId, A.userId).inputUrl).as("read back from the assets topic").isEqualTo(url);
        }
    }

    @Test
    void anotherTenantSeesNothingOfAJob() throws Exception {
        String jobId = sdk(A).submitASRJob(new SubmitASRJobRequest().setInputFile(SPEECH.resolve("test_audio_1.flac").toString())).getBody().getJobId();
        Client b = sdk(B);

        TeaException theirs = refused(() -> b.getSmartHandleJob(new GetSmartHandleJobRequest().setJobId(jobId)));
        TeaException nobodys = refused(() -> b.getSmartHandleJob(new GetSmartHandleJobRequest().setJobId("0123456789abcdef0123456789abcdef")));
        assertThat(theirs.getCode()).isEqualTo(nobodys.getCode()).isEqualTo("InvalidParameter.JobId");
        assertThat(theirs.getStatusCode()).isEqualTo(nobodys.getStatusCode()).isEqualTo(404);
        assertThat(b.listSmartJobs(new ListSmartJobsRequest().setMaxResults(100L)).getBody().getSmartJobList())
                .extracting(j -> j.getJobId()).doesNotContain(jobId);
    }

    @Test
    void unknownActionsAndPathsAnswerLikeIce() throws Exception {
        JsonNode action = post(signed(A, "DescribeNothing", Map.of(), Instant.now(), "nonce-" + System.nanoTime()));
        assertThat(action.path("Code").asText()).isEqualTo("InvalidAction.NotFound");
        HttpResponse<String> path = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + "admin/../etc")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(path.statusCode()).isEqualTo(404);
        JsonNode body = Json.MAPPER.readTree(path.body());
        assertThat(body.path("Code").asText()).isEqualTo("InvalidAction.NotFound");
        assertThat(path.body()).doesNotContain("Exception").doesNotContain("at io.");
    }

    @Test
    void prometheusSeesRequestsAndJobs() throws Exception {
        Client client = sdk(A);
        String jobId = client.submitASRJob(new SubmitASRJobRequest().setInputFile(SPEECH.resolve("test_audio_1.flac").toString())).getBody().getJobId();
        await(client, jobId);
        refused(() -> client.submitASRJob(new SubmitASRJobRequest().setTitle("no input")));

        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + "metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("flinkasr_api_requests_total\\{action=\"SubmitASRJob\",code=\"OK\"} [1-9]")
                .containsPattern("flinkasr_api_requests_total\\{action=\"SubmitASRJob\",code=\"MissingParameter\"} [1-9]")
                .containsPattern("flinkasr_jobs\\{state=\"Finished\"} [1-9]")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void aKeyThatCallsTooFastIsThrottled() throws Exception {
        Configuration config = new Configuration();
        config.set(AsrOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        config.set(AsrOptions.RATE_LIMIT, 1.0);
        config.set(AsrOptions.RATE_BURST, 3);
        try (Catalog table = new Catalog(config);
                ApiServer slow = new ApiServer(config, table, new AccessKeys(List.of(A, B))).start("127.0.0.1", 0)) {
            ApiClient a = new ApiClient("http://127.0.0.1:" + slow.port() + "/", A);
            List<Integer> statuses = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                statuses.add(a.send("ListSmartJobs", Map.of()).status());
            }
            assertThat(statuses.subList(0, 3)).containsOnly(200);
            assertThat(statuses).contains(429);
            assertThat(a.send("ListSmartJobs", Map.of()).body().path("Code").asText()).isEqualTo("Throttling");
            // another key has its own bucket
            assertThat(new ApiClient("http://127.0.0.1:" + slow.port() + "/", B).send("ListSmartJobs", Map.of()).status()).isEqualTo(200);
        }
    }

    @Test
    void theSdkSpeaksHttpsWhenTheApiHasACertificate() throws Exception {
        Path keystore = tmp.resolve("api.p12");
        Process keytool = new ProcessBuilder("keytool", "-genkeypair", "-alias", "api", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=127.0.0.1", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").inheritIO().start();
        assertThat(keytool.waitFor()).isZero();
        int tlsPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            tlsPort = s.getLocalPort();
        }
        Configuration config = new Configuration();
        config.set(AsrOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        config.set(AsrOptions.TLS_KEYSTORE, keystore.toString());
        config.set(AsrOptions.TLS_KEYSTORE_PASSWORD, "changeit");
        config.set(AsrOptions.TLS_PORT, tlsPort);
        config.set(AsrOptions.API_HOST, "127.0.0.1");
        try (Catalog table = new Catalog(config);
                ApiServer tls = new ApiServer(config, table, new AccessKeys(List.of(A))).start("127.0.0.1", 0)) {
            Client client = new Client(new Config().setAccessKeyId(A.accessKeyId).setAccessKeySecret(A.accessKeySecret)
                    .setEndpoint("127.0.0.1:" + tlsPort).setProtocol("https"));
            // the SDK's RuntimeOptions ignore certificate checks by default; the certificate here is self-signed
            assertThat(client.listSmartJobs(new ListSmartJobsRequest()).getBody().getRequestId()).isNotBlank();
        }
    }

    /** A request signed by hand with a chosen timestamp and nonce (RPC v1, as the SDK signs). */
    private static Map<String, String> signed(AccessKey key, String action, Map<String, String> params, Instant at, String nonce) {
        Map<String, String> p = new LinkedHashMap<>(params);
        p.put("Action", action);
        p.put("Version", "2020-11-09");
        p.put("Format", "json");
        p.put("AccessKeyId", key.accessKeyId);
        p.put("SignatureMethod", "HMAC-SHA1");
        p.put("SignatureVersion", "1.0");
        p.put("SignatureNonce", nonce);
        p.put("Timestamp", at.truncatedTo(ChronoUnit.SECONDS).toString());
        p.put("Signature", Signatures.rpcV1("POST", p, key.accessKeySecret));
        return p;
    }

    private JsonNode post(Map<String, String> params) throws Exception {
        String query = params.entrySet().stream()
                .map(e -> Signatures.percent(e.getKey()) + "=" + Signatures.percent(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + "?" + query)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(response.body());
    }
}
