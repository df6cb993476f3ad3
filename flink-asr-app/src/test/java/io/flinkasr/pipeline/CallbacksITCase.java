package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.AccessKey;
import io.flinkasr.callbacks.CallbackSignature;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.NetUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Completion callbacks on the real local stack (embedded Kafka, the Flink job on its MiniCluster, the API,
 * the callbacks beside it), to a client's receiver on loopback, the one address the operator allow-lists:
 * signed, with a stable event id, retried until the receiver takes them, given up when it never does, never
 * held up by a receiver that does not answer; NotifyAddresses the SSRF policy refuses are refused at submit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallbacksITCase {
    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(10);

    @TempDir static Path tmp;
    private CallbackReceiver receiver;
    private LocalStack stack;
    private AsrApi api;
    private int apiPort;
    private AccessKey key;

    @BeforeAll
    void start() throws Exception {
        receiver = new CallbackReceiver();
        Configuration config = TestStacks.atParallelismTwo(SpeechSet.dir());
        config.set(AsrOptions.HTTP_ALLOWED_ADDRESSES, List.of("127.0.0.1/32"));
        config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(receiver.port()));
        config.set(AsrOptions.CALLBACKS_FIRST_RETRY, Duration.ofMillis(250));
        config.set(AsrOptions.CALLBACKS_MAX_RETRY_INTERVAL, Duration.ofSeconds(2));
        config.set(AsrOptions.CALLBACKS_GIVE_UP_AFTER, GIVE_UP_AFTER);
        config.set(AsrOptions.CALLBACKS_TIMEOUT, Duration.ofSeconds(60));
        try (NetUtils.Port port = NetUtils.getAvailablePort()) {
            apiPort = port.getPort();
        }
        stack = LocalStack.start(config, tmp.resolve("data"), apiPort, null);
        api = new AsrApi(stack.apiUrl());
        key = stack.accessKey();
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void aFinishedClipIsToldSignedAfterTheReceiverFailedTwice() throws Exception {
        String path = "/hooks/clip";
        receiver.failFirst(path, 2);
        String userData = "{\"NotifyAddress\":\"" + receiver.url(path) + "\",\"Order\":\"A-17\"}";
        String jobId = api.submit(SpeechSet.dir().resolve("jfk.flac").toString(), "UserData", userData, "Title", "keynote");

        List<CallbackReceiver.Received> calls = receiver.await(path, r -> r.stream().anyMatch(c -> c.status() == 200),
                Duration.ofMinutes(2));
        assertThat(calls).extracting(CallbackReceiver.Received::status).containsExactly(503, 503, 200);
        System.out.println("CallbacksITCase: the clip's attempts " + CallbackReceiver.gapsMillis(calls) + " ms apart");
        assertThat(calls).extracting(c -> c.header(CallbackSignature.ATTEMPT)).containsExactly("1", "2", "3");
        String eventId = calls.get(0).header(CallbackSignature.EVENT_ID);
        assertThat(eventId).isNotBlank();
        for (CallbackReceiver.Received call : calls) {
            assertThat(call.header(CallbackSignature.EVENT_ID)).as("the same event on every attempt").isEqualTo(eventId);
            assertThat(call.body()).as("the same body on every attempt").isEqualTo(calls.get(0).body());
            assertThat(call.header("Content-Type")).startsWith("application/json");
            assertThat(call.header(CallbackSignature.ACCESS_KEY_ID)).isEqualTo(key.accessKeyId);
            assertThat(CallbackSignature.verify(key.accessKeySecret, call.header(CallbackSignature.TIMESTAMP),
                    call.header(CallbackSignature.SIGNATURE), call.body())).as("signed with the tenant's secret").isTrue();
            assertThat(CallbackSignature.verify("another-secret", call.header(CallbackSignature.TIMESTAMP),
                    call.header(CallbackSignature.SIGNATURE), call.body())).isFalse();
        }
        JsonNode event = calls.get(2).json();
        assertThat(event.path("EventId").asText()).isEqualTo(eventId);
        assertThat(event.path("EventType").asText()).isEqualTo("ASRJobCompleted");
        assertThat(event.path("JobId").asText()).isEqualTo(jobId);
        assertThat(event.path("State").asText()).isEqualTo("Finished");
        assertThat(event.path("UserData").asText()).as("UserData echoed as given").isEqualTo(userData);
        assertThat(event.path("Title").asText()).isEqualTo("keynote");
        assertThat(event.has("ErrorCode")).isFalse();
        assertThat(event.path("FinishTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

        JsonNode job = awaitCallback(jobId, "Delivered");
        assertThat(job.path("State").asText()).isEqualTo("Finished");
        assertThat(job.path("Callback").path("Attempts").asInt()).isEqualTo(3);
        assertThat(job.path("Callback").path("EventId").asText()).isEqualTo(eventId);

        List<JsonNode> events = EventsTopic.read(stack.bootstrapServers()).get(jobId);
        assertThat(events).as("one event on the events topic, the one delivered").hasSize(1);
        assertThat(events.get(0)).isEqualTo(event);
    }

    @Test
    void aFailedJobIsToldWithItsErrorCode() throws Exception {
        String path = "/hooks/failed";
        String jobId = api.submit(SpeechSet.dir().resolve("no-such-file.flac").toString(),
                "UserData", "{\"NotifyAddress\":\"" + receiver.url(path) + "\"}");
        List<CallbackReceiver.Received> calls = receiver.await(path, r -> !r.isEmpty(), Duration.ofMinutes(2));
        JsonNode event = calls.get(0).json();
        assertThat(event.path("JobId").asText()).isEqualTo(jobId);
        assertThat(event.path("State").asText()).isEqualTo("Failed");
        assertThat(event.path("ErrorCode").asText()).isEqualTo("InputFile.NotFound");
        assertThat(event.path("ErrorMessage").asText()).isNotBlank();
        assertThat(awaitCallback(jobId, "Delivered").path("Callback").path("Attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aReceiverThatNeverAnswersHoldsUpNoOtherCallback() throws Exception {
        String stuck = "/hooks/stuck";
        String quick = "/hooks/quick";
        receiver.hold(stuck);
        String clip = SpeechSet.dir().resolve("jfk.flac").toString();
        String stuckJob = api.submit(clip, "UserData", "{\"NotifyAddress\":\"" + receiver.url(stuck) + "\"}");
        receiver.await(stuck, r -> !r.isEmpty(), Duration.ofMinutes(2));
        String quickJob = api.submit(clip, "UserData", "{\"NotifyAddress\":\"" + receiver.url(quick) + "\"}");

        receiver.await(quick, r -> r.stream().anyMatch(c -> c.status() == 200), Duration.ofMinutes(2));
        assertThat(receiver.held()).as("the stuck receiver still holds its first attempt").isEqualTo(1);
        assertThat(receiver.on(stuck)).hasSize(1);
        assertThat(awaitCallback(quickJob, "Delivered").path("State").asText()).isEqualTo("Finished");
        assertThat(api.call("GetSmartHandleJob", "JobId", stuckJob).body().path("Callback").path("State").asText())
                .isEqualTo("Pending");
    }

    @Test
    void aCallbackNeverTakenIsGivenUpAndShown() throws Exception {
        String path = "/hooks/down";
        receiver.failUntilAllowed(path);
        String jobId = api.submit(SpeechSet.dir().resolve("jfk.flac").toString(),
                "UserData", "{\"NotifyAddress\":\"" + receiver.url(path) + "\"}");

        JsonNode job = awaitCallback(jobId, "GaveUp");
        List<CallbackReceiver.Received> calls = receiver.on(path);
        assertThat(calls.size()).as("retried with back-off until given up").isGreaterThanOrEqualTo(3);
        System.out.println("CallbacksITCase: " + calls.size() + " attempts before giving up, "
                + CallbackReceiver.gapsMillis(calls) + " ms apart");
        assertThat(calls).allMatch(c -> c.status() == 500);
        assertThat(job.path("Callback").path("Attempts").asInt()).isEqualTo(calls.size());
        assertThat(job.path("Callback").path("LastError").asText()).isEqualTo("The receiver answered HTTP 500.");
        assertThat(job.path("State").asText()).as("the job itself stays Finished").isEqualTo("Finished");
        assertThat(metric("flinkasr_callbacks_given_up_total")).isGreaterThanOrEqualTo(1);
        assertThat(metric("flinkasr_callbacks_attempts_failed_total")).isGreaterThanOrEqualTo(calls.size());
        assertThat(metric("flinkasr_callbacks_recorder_up")).isEqualTo(1);
    }

    @Test
    void notifyAddressesThePolicyRefusesAreRefusedAtSubmit() throws Exception {
        int jobsBefore = api.call("ListSmartJobs", "MaxResults", "100").body().path("TotalCount").asInt();
        String clip = SpeechSet.dir().resolve("jfk.flac").toString();
        List<String> refused = List.of(
                "\"http://10.1.2.3/hook\"",
                "\"http://169.254.169.254/latest/meta-data/\"",
                "\"http://127.0.0.2:" + receiver.port() + "/hook\"",
                "\"http://0x7f000002:" + receiver.port() + "/hook\"",
                "\"http://[::ffff:10.0.0.1]:" + receiver.port() + "/hook\"",
                "\"http://[::1]:" + receiver.port() + "/hook\"",
                "\"http://127.0.0.1:" + apiPort + "/?Action=ListSmartJobs\"",
                "\"http://localhost.:" + apiPort + "/\"",
                "\"ftp://example.com/hook\"",
                "\"http://user:pw@127.0.0.1:" + receiver.port() + "/hook\"",
                "42");
        for (String address : refused) {
            var answer = api.call("SubmitASRJob", "InputFile", clip, "UserData", "{\"NotifyAddress\":" + address + "}");
            assertThat(answer.status()).as(address).isEqualTo(400);
            assertThat(answer.body().path("Code").asText()).as(address).isEqualTo("InvalidParameter.NotifyAddress");
            assertThat(answer.body().path("Message").asText()).as(address).startsWith("The NotifyAddress in UserData is not allowed");
        }
        assertThat(api.call("ListSmartJobs", "MaxResults", "100").body().path("TotalCount").asInt())
                .as("no job was created").isEqualTo(jobsBefore);
    }

    /** Polls GetSmartHandleJob until the job's Callback.State is {@code state}. */
    private JsonNode awaitCallback(String jobId, String state) throws Exception {
        long deadline = System.nanoTime() + GIVE_UP_AFTER.plusMinutes(2).toNanos();
        JsonNode job;
        do {
            job = api.call("GetSmartHandleJob", "JobId", jobId).body();
            if (job.path("Callback").path("State").asText().equals(state)) {
                return job;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the callback of " + jobId + " did not reach " + state + ": " + job.path("Callback"));
    }

    private double metric(String name) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + "metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return answer.body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
