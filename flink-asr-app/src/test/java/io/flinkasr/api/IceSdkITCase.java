package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.flinkasr.testing.FreePorts;
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
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import io.flinkasr.pipeline.SpeechSet;
import io.flinkasr.records.Json;
import io.flinkasr.testing.Await;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Alibaba Cloud ICE SDK ({@code com.aliyun:ice20201109:2.3.0}), unmodified, against the
 * local stack: what only the SDK end to end can show. It submits, polls and parses Finished and Failed
 * jobs and pages ListSmartJobs with both of its signatures and over HTTPS, registers media, and sees
 * refused requests as its own exceptions with ICE's Code and HTTP status, creating no job.
 *
 * <p>The rules behind the refusals are tested where they live, without a stack: signatures, nonces and
 * the time window in {@code AccessControlTest}, parameters in {@code SubmitParametersTest}, paging in
 * {@code JobListingTest}; tenant isolation in {@code PipelineITCase}, word timings and SentenceMaxLength
 * in {@code AsrPipelineITCase}, metrics in {@code PipelineITCase}, throttling and unknown paths in
 * {@code HostileClientsITCase}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IceSdkITCase {
    private static final AccessKey A = new AccessKey(1234562230123456L, "LTAIkeyOfTenantA", "secretOfTenantA");
    private static final AccessKey B = new AccessKey(7654321000000001L, "LTAIkeyOfTenantB", "secretOfTenantB");
    private static Path SPEECH;

    @TempDir static Path tmp;
    private LocalStack stack;
    private int port;

    @BeforeAll
    void start() throws Exception {
        SPEECH = SpeechSet.dir();
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
        return Await.until("job " + jobId + " Finished or Failed", Duration.ofMinutes(5), Duration.ofMillis(250),
                () -> client.getSmartHandleJob(new GetSmartHandleJobRequest().setJobId(jobId)).getBody(),
                job -> job.getState().equals("Finished") || job.getState().equals("Failed"));
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
    void theSdkReadsAnHoursTranscriptSentGzipdFromItsStoredDeflatedText() throws Exception {
        // a Finished state as the pipeline writes it, with about an hour of segments: its text is kept deflated
        // and spliced into the gzip'd answer that the SDK's HTTP client asks for and checks (CRC-32, length)
        io.flinkasr.records.JobRequest request = new io.flinkasr.records.JobRequest();
        request.jobId = "hour0000000000000000000000000001";
        request.userId = A.userId;
        request.title = "an hour";
        request.inputFile = "oss://bucket/hour.mp4";
        request.userData = "{\"u\":\"ü\"}";
        request.createTime = System.currentTimeMillis() - 3_600_000;
        io.flinkasr.records.JobStatus finished = io.flinkasr.records.JobStatus.of(request, io.flinkasr.records.JobState.Finished,
                System.currentTimeMillis());
        io.flinkasr.records.Segment[] segments = new io.flinkasr.records.Segment[900];
        for (int i = 0; i < segments.length; i++) {
            segments[i] = new io.flinkasr.records.Segment("segment " + i + " says \"hello\" to Grüße 你好 and the rest of the hour", i * 4.0, i * 4.0 + 3.5, null);
        }
        finished.segments = segments;
        finished.chunksDone = 144;
        finished.chunksTotal = 144;
        finished.mediaSeconds = 3600;
        try (TopicRecords topics = new TopicRecords(stack.bootstrapServers())) {
            topics.states(AsrOptions.STATES_TOPIC.defaultValue(), List.of(finished));
        }

        GetSmartHandleJobResponseBody job = await(sdk(A), request.jobId);
        assertThat(job.getState()).isEqualTo("Finished");
        assertThat(job.getUserData()).isEqualTo("{\"u\":\"ü\"}");
        assertThat(job.getOutput()).isEqualTo(job.getJobResult().getAiResult());
        JsonNode read = Json.MAPPER.readTree(job.getJobResult().getAiResult());
        assertThat(read).hasSize(900);
        assertThat(read.get(899).get("content").asText()).isEqualTo("segment 899 says \"hello\" to Grüße 你好 and the rest of the hour");
        assertThat(job.getJobResult().getAiResult().length()).as("long enough to be kept deflated").isGreaterThan(50_000);
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
    void refusedRequestsReachTheSdkWithTheirCodeAndCreateNoJob() throws Exception {
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
        assertThat(jobsOf(client)).as("no refused request created a job").isEqualTo(before);
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
    void theSdkSpeaksHttpsWhenTheApiHasACertificate() throws Exception {
        Path keystore = tmp.resolve("api.p12");
        Process keytool = new ProcessBuilder("keytool", "-genkeypair", "-alias", "api", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=127.0.0.1", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").inheritIO().start();
        assertThat(keytool.waitFor()).isZero();
        int tlsPort = FreePorts.one();
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
}
