package io.flinkasr.cluster;

import io.flinkasr.local.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * A Kafka broker alone in its JVM, for {@link JavaProcess}: {@code KafkaBrokerMain LOG_DIR PORT} starts
 * {@link EmbeddedKafka} on that folder and port, prints {@value #READY} and the bootstrap servers, and runs
 * until killed. A restart on the same folder and port keeps every topic, record and transaction.
 *
 * <p>{@code KafkaBrokerMain LOG_DIR NODE_ID BROKER_PORTS CONTROLLER_PORTS CLUSTER_ID} (ports comma-separated,
 * node i at index i-1) starts node NODE_ID of a multi-node cluster instead ({@link EmbeddedKafka#startNode},
 * see {@link KafkaBrokers}).
 */
public final class KafkaBrokerMain {
    public static final String READY = "kafka broker ready";

    private KafkaBrokerMain() {}

    /** Starts the broker as a process of its own on {@code port} of loopback, data in {@code dataDir}. */
    public static JavaProcess startProcess(Path dataDir, int port, Path log) throws Exception {
        return JavaProcess.start("kafka", log, List.of("-Xmx512m"), KafkaBrokerMain.class.getName(),
                List.of(dataDir.toString(), String.valueOf(port)), READY, Duration.ofMinutes(2));
    }

    public static void main(String[] args) throws Exception {
        EmbeddedKafka kafka = args.length == 2
                ? EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]))
                : EmbeddedKafka.startNode(Path.of(args[0]), Integer.parseInt(args[1]), ports(args[2]), ports(args[3]), args[4]);
        System.out.println(READY + " on " + kafka.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }

    private static List<Integer> ports(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(Integer::valueOf).toList();
    }
}
