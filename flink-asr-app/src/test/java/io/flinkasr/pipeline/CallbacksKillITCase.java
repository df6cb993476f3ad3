package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.AccessKey;
import io.flinkasr.callbacks.CallbackSignature;
import io.flinkasr.cli.FlinkAsr;
import io.flinkasr.cluster.JavaProcess;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Completion callbacks delivered by a {@code flink-asr callbacks} process of their own (the local stack's
 * own callbacks switched off), SIGKILLed while a callback waits for its next attempt and while another job
 * ends: started again, it delivers both, each with the event id its earlier attempts carried, once.
 */
class CallbacksKillITCase {
    private static final String READY = "flink-asr callbacks ready";
    private static final Duration LONG = Duration.ofMinutes(2);

    @TempDir Path tmp;

    @Test
    void callbacksPendingAtASigkillAreDeliveredAfterTheRestart() throws Exception {
        long started = System.nanoTime();
        try (CallbackReceiver receiver = new CallbackReceiver()) {
            Configuration config = TestStacks.atParallelismTwo(SpeechSet.dir());
            config.set(AsrOptions.CALLBACKS_ENABLED, false);
            config.set(AsrOptions.HTTP_ALLOWED_ADDRESSES, List.of("127.0.0.1/32")); // the API checks NotifyAddresses too
            config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(receiver.port()));
            try (LocalStack stack = LocalStack.start(config, tmp.resolve("data"), 0, null);
                    JavaProcess callbacks = JavaProcess.start("callbacks", tmp.resolve("logs/callbacks.log"), List.of("-Xmx256m"),
                            FlinkAsr.class.getName(), List.of("callbacks",
                                    "--bootstrap-servers", stack.bootstrapServers(),
                                    "--users", stack.usersFile().toString(),
                                    "-D" + AsrOptions.HTTP_ALLOWED_ADDRESSES.key() + "=127.0.0.1/32",
                                    "-D" + AsrOptions.HTTP_ALLOWED_PORTS.key() + "=" + receiver.port(),
                                    "-D" + AsrOptions.TOPIC_PARTITIONS.key() + "=2",
                                    "-D" + AsrOptions.CALLBACKS_FIRST_RETRY.key() + "=300 ms",
                                    "-D" + AsrOptions.CALLBACKS_MAX_RETRY_INTERVAL.key() + "=1 s"),
                            READY, LONG)) {
                System.out.println("CallbacksKillITCase: the stack and the callbacks process started in "
                        + (System.nanoTime() - started) / 1_000_000 + " ms");
                AsrApi api = new AsrApi(stack.apiUrl());
                AccessKey key = stack.accessKey();
                String clip = SpeechSet.dir().resolve("jfk.flac").toString();

                // a callback in the middle of its retries when the process is killed
                String retried = "/hooks/retried";
                receiver.failUntilAllowed(retried);
                String retriedJob = api.submit(clip, "UserData", "{\"NotifyAddress\":\"" + receiver.url(retried) + "\"}");
                receiver.await(retried, r -> r.size() >= 2, LONG);
                callbacks.kill();
                int failedBeforeKill = receiver.on(retried).size();

                // a job that ends while no process records job ends
                String whileDown = "/hooks/while-down";
                String whileDownJob = api.submit(clip, "UserData", "{\"NotifyAddress\":\"" + receiver.url(whileDown) + "\"}");
                assertThat(api.await(whileDownJob, LONG).path("State").asText()).isEqualTo("Finished");
                assertThat(receiver.on(whileDown)).isEmpty();

                receiver.allow(retried);
                long restarting = System.nanoTime();
                callbacks.restart(READY, LONG);
                System.out.println("CallbacksKillITCase: the callbacks process restarted in "
                        + (System.nanoTime() - restarting) / 1_000_000 + " ms");

                List<CallbackReceiver.Received> calls = receiver.await(retried, r -> r.stream().anyMatch(c -> c.status() == 200), LONG);
                System.out.println("CallbacksKillITCase: delivered " + (calls.get(calls.size() - 1).arrivedNanos() - restarting) / 1_000_000
                        + " ms after the restart began; attempts " + CallbackReceiver.gapsMillis(calls) + " ms apart");
                assertThat(calls.subList(0, failedBeforeKill)).allMatch(c -> c.status() == 500);
                String eventId = calls.get(0).header(CallbackSignature.EVENT_ID);
                assertThat(calls).as("the event id survives the kill").allMatch(c -> eventId.equals(c.header(CallbackSignature.EVENT_ID)));
                CallbackReceiver.Received accepted = calls.stream().filter(c -> c.status() == 200).findFirst().orElseThrow();
                assertThat(CallbackSignature.verify(key.accessKeySecret, accepted.header(CallbackSignature.TIMESTAMP),
                        accepted.header(CallbackSignature.SIGNATURE), accepted.body())).isTrue();
                assertThat(accepted.json().path("JobId").asText()).isEqualTo(retriedJob);

                List<CallbackReceiver.Received> told = receiver.await(whileDown, r -> !r.isEmpty(), LONG);
                assertThat(told.get(0).status()).isEqualTo(200);
                assertThat(told.get(0).json().path("JobId").asText()).isEqualTo(whileDownJob);
                assertThat(CallbackSignature.verify(key.accessKeySecret, told.get(0).header(CallbackSignature.TIMESTAMP),
                        told.get(0).header(CallbackSignature.SIGNATURE), told.get(0).body())).isTrue();

                JsonNode retriedStatus = awaitDelivered(api, retriedJob);
                int attempts = retriedStatus.path("Callback").path("Attempts").asInt();
                assertThat(accepted.header(CallbackSignature.ATTEMPT)).isEqualTo(String.valueOf(attempts));
                // an attempt whose outcome the kill kept from being recorded is made again, with the same number
                assertThat(calls.size()).isBetween(attempts, attempts + 1);
                awaitDelivered(api, whileDownJob);
                assertThat(receiver.on(retried)).as("delivered once").filteredOn(c -> c.status() == 200).hasSize(1);
                assertThat(receiver.on(whileDown)).as("delivered once").hasSize(1);
                Map<String, List<JsonNode>> events = EventsTopic.read(stack.bootstrapServers());
                assertThat(events.get(retriedJob)).as("one event per job on the events topic").hasSize(1);
                assertThat(events.get(whileDownJob)).hasSize(1);
                assertThat(events.get(retriedJob).get(0).path("EventId").asText()).isEqualTo(eventId);
            }
        }
    }

    private static JsonNode awaitDelivered(AsrApi api, String jobId) throws Exception {
        long deadline = System.nanoTime() + LONG.toNanos();
        JsonNode job;
        do {
            job = api.call("GetSmartHandleJob", "JobId", jobId).body();
            if (job.path("Callback").path("State").asText().equals("Delivered")) {
                return job;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the callback of " + jobId + " was not delivered: " + job.path("Callback"));
    }
}
