package io.flinkasr.cli;

import io.flinkasr.api.AccessKeys;
import io.flinkasr.api.ApiServer;
import io.flinkasr.api.Catalog;
import io.flinkasr.api.FlinkRestHealth;
import io.flinkasr.api.PipelineHealth;
import io.flinkasr.callbacks.Callbacks;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.workflow.JobTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code api}: the HTTP API on its own, against a Kafka cluster that a Flink cluster also reads. */
@Command(name = "api", mixinStandardHelpOptions = true, description = "Run the HTTP API against an existing Kafka cluster.")
public class ApiCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Option(names = "--bootstrap-servers", description = "Kafka brokers (default: asr.kafka.bootstrap-servers).")
    String bootstrapServers;

    @Option(names = "--port", description = "Port of the API (default: asr.api.port, 8080).")
    Integer port;

    @Option(names = "--users", required = true, description = "Access-key file: JSON array of {userId, accessKeyId, accessKeySecret}.")
    Path users;

    @Override
    public Integer call() throws Exception {
        Configuration config = options.load();
        if (bootstrapServers != null) {
            config.set(AsrOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (port != null) {
            config.set(AsrOptions.API_PORT, port);
        }
        JobTopics.ensureExist(config);
        Catalog jobs = new Catalog(config);
        jobs.awaitCaughtUp(Duration.ofMinutes(5));
        PipelineHealth pipeline = config.getOptional(AsrOptions.FLINK_REST_URL)
                .<PipelineHealth>map(FlinkRestHealth::new).orElse(PipelineHealth.NOT_WATCHED);
        AccessKeys keys = AccessKeys.load(users);
        ApiServer api = new ApiServer(config, jobs, keys, pipeline)
                .start(config.get(AsrOptions.API_HOST), config.get(AsrOptions.API_PORT));
        Callbacks callbacks = config.get(AsrOptions.CALLBACKS_ENABLED) ? Callbacks.start(config, keys, api.meters()) : null;
        System.out.println("flink-asr API ready on port " + api.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            if (callbacks != null) {
                try {
                    callbacks.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
