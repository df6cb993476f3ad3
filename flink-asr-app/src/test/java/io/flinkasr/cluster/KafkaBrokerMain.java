package io.flinkasr.cluster;

import io.flinkasr.local.EmbeddedKafka;
import java.nio.file.Path;

/**
 * A Kafka broker alone in its JVM, for {@link JavaProcess}: {@code KafkaBrokerMain LOG_DIR PORT} starts
 * {@link EmbeddedKafka} on that folder and port, prints {@value #READY} and the bootstrap servers, and runs
 * until killed. A restart on the same folder and port keeps every topic, record and transaction.
 */
public final class KafkaBrokerMain {
    public static final String READY = "kafka broker ready";

    private KafkaBrokerMain() {}

    /** Starts the broker as a process of its own on {@code port} of loopback, data in {@code dataDir}. */
    public static JavaProcess startProcess(Path dataDir, int port, Path log) throws Exception {
        return JavaProcess.start("kafka", log, java.util.List.of("-Xmx512m"), KafkaBrokerMain.class.getName(),
                java.util.List.of(dataDir.toString(), String.valueOf(port)), READY, java.time.Duration.ofMinutes(2));
    }

    public static void main(String[] args) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]));
        System.out.println(READY + " on " + kafka.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }
}
