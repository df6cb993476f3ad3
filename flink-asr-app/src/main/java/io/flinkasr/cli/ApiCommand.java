package io.flinkasr.cli;

import io.flinkasr.api.AccessKeys;
import io.flinkasr.api.ApiServer;
import io.flinkasr.api.Catalog;
import io.flinkasr.api.FlinkRestHealth;
import io.flinkasr.api.PipelineHealth;
import io.flinkasr.api.PortInUseException;
import io.flinkasr.callbacks.Callbacks;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.workflow.JobTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code api}: the HTTP API on its own, against a Kafka cluster that a Flink cluster also reads. */
@Command(name = "api", mixinStandardHelpOptions = true, description = "Run the HTTP API against an existing Kafka cluster.")
public class ApiCommand implements Callable<Integer> {
    /** The job table gives up when it reads nothing for this long before it has caught up. */
    static final Duration CATCH_UP_STALL = Duration.ofMinutes(5);
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    @Mixin ConfigOptions options;

    @Mixin KafkaOption kafka;

    @Option(names = "--port", description = "Port of the API (default: asr.api.port, 8080).")
    Integer port;

    @Option(names = "--users", required = true, description = "Access-key file: JSON array of {userId, accessKeyId, accessKeySecret}.")
    Path users;

    @Override
    public Integer call() throws Exception {
        Configuration config = kafka.applyTo(options.load());
        if (port != null) {
            config.set(AsrOptions.API_PORT, port);
        }
        AccessKeys keys = AccessKeys.load(users);
        try {
            PortInUseException.requireFree(config.get(AsrOptions.API_HOST), config.get(AsrOptions.API_PORT), false);
            JobTopics.ensureExist(config);
        } catch (Exception e) {
            throw StartProblems.explained(e, "--port");
        }
        Catalog jobs = new Catalog(config);
        PipelineHealth pipeline = config.getOptional(AsrOptions.FLINK_REST_URL)
                .<PipelineHealth>map(FlinkRestHealth::new).orElse(PipelineHealth.NOT_WATCHED);
        ApiServer api;
        try {
            // listening at once: /health says CATCHING_UP and requests get ServiceUnavailable until the table has
            // read what was written before this start (an API that had not would answer "does not exist")
            api = new ApiServer(config, jobs, keys, pipeline).start(config.get(AsrOptions.API_HOST), config.get(AsrOptions.API_PORT));
        } catch (PortInUseException e) {
            jobs.close();
            throw StartProblems.explained(e, "--port");
        }
        AtomicReference<Callbacks> callbacks = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            try {
                if (callbacks.get() != null) {
                    callbacks.get().close();
                }
                jobs.close(); // the store's files closed: the next start resumes from its offsets
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }));
        if (!jobs.caughtUp()) {
            System.out.printf(Locale.ROOT, "flink-asr API listening on port %d; reading the job topics first (/health: CATCHING_UP)%n", api.port());
        }
        CatchUpProgress progress = new CatchUpProgress();
        if (!jobs.awaitCaughtUp(CATCH_UP_STALL, PROGRESS_EVERY, progress::print)) {
            throw new CommandException(CommandException.UNAVAILABLE, "the job table " + (jobs.reading()
                    ? "read nothing from the job topics at " + config.get(AsrOptions.BOOTSTRAP_SERVERS) + " for " + CATCH_UP_STALL.toMinutes() + " minutes"
                    : "stopped reading the job topics on an error (see the log)") + " before it had read them all");
        }
        if (config.get(AsrOptions.CALLBACKS_ENABLED)) {
            callbacks.set(Callbacks.start(config, keys, api.meters()));
        }
        System.out.println("flink-asr API ready on port " + api.port());
        stopped.await();
        return 0;
    }
}
