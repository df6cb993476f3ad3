package io.flinkasr.callbacks;

import io.flinkasr.api.AccessKeys;
import io.flinkasr.workflow.JobTopics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completion callbacks and the events topic, as one component beside the API (it needs the tenants'
 * secrets to sign): a {@link CompletionRecorder} that turns the states topic's job ends into events and
 * Pending callbacks, and a {@link CallbackDispatcher} that delivers them. It never runs on the API's request
 * path. Run one per deployment: in {@code api}, in {@code local}, or alone as {@code callbacks}.
 */
public final class Callbacks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Callbacks.class);

    private final CompletionRecorder recorder;
    private final Thread recording;
    private final CallbackDispatcher dispatcher;

    private Callbacks(CompletionRecorder recorder, CallbackDispatcher dispatcher, MeterRegistry meters) {
        this.recorder = recorder;
        this.dispatcher = dispatcher;
        this.recording = new Thread(recorder, "completion-recorder");
        recording.setDaemon(true);
        recording.start();
        Gauge.builder("flinkasr.callbacks.recorder.up", recording, t -> t.isAlive() ? 1 : 0)
                .description("1 while job ends are being recorded as events and callbacks (0: see the log)").register(meters);
    }

    /**
     * Starts recording and delivering, with the topics created where missing; returns once the pending
     * callbacks of earlier runs are read and scheduled.
     *
     * @param meters where the callback metrics go (the API's registry, so /metrics shows them), or null
     */
    public static Callbacks start(Configuration config, AccessKeys keys, MeterRegistry meters) throws Exception {
        CallbackSettings settings = CallbackSettings.from(config);
        JobTopics.ensureExist(config);
        MeterRegistry registry = meters != null ? meters : new SimpleMeterRegistry();
        CallbackDispatcher dispatcher = new CallbackDispatcher(settings, keys, registry);
        try {
            if (!dispatcher.awaitCaughtUp(Duration.ofMinutes(5))) {
                LOG.warn("The callbacks topic was not read to its end within 5 minutes; delivering as it is read");
            }
            return new Callbacks(new CompletionRecorder(settings), dispatcher, registry);
        } catch (Exception | Error e) {
            dispatcher.close();
            throw e;
        }
    }

    @Override
    public void close() throws InterruptedException {
        recorder.close();
        recording.join(10_000);
        dispatcher.close();
    }
}
