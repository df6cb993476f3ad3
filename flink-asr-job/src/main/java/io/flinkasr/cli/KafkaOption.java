package io.flinkasr.cli;

import io.flinkasr.config.AsrOptions;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/** {@code --bootstrap-servers}, for the commands that join an existing Kafka cluster (api, callbacks, job). */
public class KafkaOption {
    @Option(names = "--bootstrap-servers", description = "Kafka brokers (default: asr.kafka.bootstrap-servers).")
    String bootstrapServers;

    /** Sets {@code asr.kafka.bootstrap-servers} where the option was given. */
    Configuration applyTo(Configuration config) {
        if (bootstrapServers != null) {
            config.set(AsrOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        return config;
    }
}
