package io.flinkasr.cli;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.workflow.KafkaUnreachableException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.ExceptionUtils;
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

    /** A {@link CommandException} that names this option where Kafka was out of reach; any other exception as it is. */
    static Exception explained(Exception e) {
        var kafka = ExceptionUtils.findThrowable(e, KafkaUnreachableException.class);
        if (kafka.isPresent()) {
            return new CommandException(CommandException.UNAVAILABLE, kafka.get().getMessage()
                    + "; is it running? Name the brokers with --bootstrap-servers HOST:PORT");
        }
        return e;
    }
}
