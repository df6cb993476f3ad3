package io.flinkasr.local;

import io.flinkasr.workflow.JobTopics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.kafka.server.common.TransactionVersion;

/**
 * A single-node Apache Kafka broker (KRaft, combined broker + controller) running inside the current JVM.
 *
 * <p>Everything listens on 127.0.0.1 only. The log directory is formatted on first use and reused as-is
 * afterwards, so topics and records survive a restart, even on different ports: the controller quorum is
 * declared statically ({@code controller.quorum.voters}), so no listener address is stored in the log
 * directory. Records are never deleted by time or size retention (only compaction removes anything).
 *
 * <p>The cluster is formatted with {@code transaction.version=1}: with Kafka 4's default (2) Flink's
 * exactly-once KafkaSink logs a spurious ERROR while recovering transactions.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final Admin admin;
    private final String bootstrapServers;
    private final List<Integer> ports;

    private EmbeddedKafka(KafkaRaftServer server, Admin admin, String bootstrapServers, List<Integer> ports) {
        this.server = server;
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.ports = ports;
    }

    /**
     * Starts a broker whose log lives in logDir (created and formatted if new; reused as-is if it was
     * formatted before, so a restart keeps every topic and record). port 0 = pick a free loopback port.
     */
    public static EmbeddedKafka start(Path logDir, int port) throws Exception {
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        KafkaConfig config = new KafkaConfig(brokerProperties(logDir.toAbsolutePath(), brokerPort, controllerPort), false);
        formatIfNew(config);

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        String bootstrapServers = "127.0.0.1:" + brokerPort;
        Admin admin = null;
        try {
            server.startup(); // returns once the controller is up and the broker is unfenced
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
            admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            return new EmbeddedKafka(server, admin, bootstrapServers, List.of(brokerPort, controllerPort));
        } catch (Exception | Error e) {
            if (admin != null) {
                admin.close();
            }
            server.shutdown();
            server.awaitShutdown();
            throw e;
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The broker's and the controller's ports. */
    public List<Integer> ports() {
        return ports;
    }


    @Override
    public void close() {
        admin.close();
        server.shutdown();
        server.awaitShutdown();
    }

    private static Properties brokerProperties(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // Single node: every internal topic has one replica (and one partition, which keeps startup of
        // the group and transaction coordinators fast).
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("default.replication.factor", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("message.max.bytes", String.valueOf(JobTopics.MAX_RECORD_BYTES));
        // After an unclean stop (JVM killed without close()) the restarted broker cannot re-register until
        // the controller has expired its previous session: 9 s by default, about 3 s with these values.
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "3000");
        // Keep records forever: time retention would also drop records carrying old (event-time) timestamps.
        p.put("log.retention.ms", "-1");
        // Compaction: one cleaner thread with a modest dedupe buffer (the default takes 128 MiB of heap).
        p.put("log.cleaner.enable", "true");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(32 * 1024 * 1024));
        return p;
    }

    /** Formats the log directory unless it already holds a meta.properties from an earlier format. */
    private static void formatIfNew(KafkaConfig config) throws Exception {
        Path dir = Path.of(config.metadataLogDir());
        if (Files.exists(dir.resolve("meta.properties"))) {
            return;
        }
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .addDirectory(dir.toString())
                .setMetadataLogDirectory(dir.toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setFeatureLevel(TransactionVersion.FEATURE_NAME, TransactionVersion.TV_1.featureLevel())
                .run();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
