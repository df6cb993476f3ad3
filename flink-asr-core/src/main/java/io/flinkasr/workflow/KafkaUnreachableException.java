package io.flinkasr.workflow;

import java.time.Duration;

/** No Kafka broker answered at the configured bootstrap servers within the time allowed. */
public final class KafkaUnreachableException extends RuntimeException {
    private final String bootstrapServers;

    public KafkaUnreachableException(String bootstrapServers, Duration waited, Throwable cause) {
        super("no Kafka broker answered at " + bootstrapServers + " within " + waited.toSeconds() + " s", cause);
        this.bootstrapServers = bootstrapServers;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }
}
