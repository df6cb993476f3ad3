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
 * A single-node Apache Kafka broker (KRaft, combined broker + controller) running inside the current JVM; or,
 * for fault tests, one node of a small cluster of such nodes ({@link #startNode}).
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
        int[] free = freePorts(2); // both held open together: two sockets closed one after the other can get the same port
        int brokerPort = port == 0 ? free[0] : port;
        int controllerPort = free[1] == port ? free[0] : free[1];
        return start(logDir, NODE_ID, brokerPort, controllerPort, List.of(controllerPort), Uuid.randomUuid().toString());
    }

    /**
     * Starts node {@code nodeId} (1 to n) of a KRaft cluster of n nodes on loopback, each a combined broker
     * and controller: node i has the broker port {@code brokerPorts[i-1]} and the controller port
     * {@code controllerPorts[i-1]}; all share {@code clusterId}. Every topic, the internal ones included, is
     * created with min(3, n) replicas and, from 3 nodes on, min.insync.replicas 2, so one node may be lost
     * (its disk too) without losing a record or stopping a producer with acks=all. A node whose log folder
     * was wiped formats it again with {@code clusterId} and copies its replicas back from the others.
     * Returns once this node's broker is unfenced, which needs a majority of the controllers up: start the
     * nodes side by side.
     */
    public static EmbeddedKafka startNode(Path logDir, int nodeId, List<Integer> brokerPorts, List<Integer> controllerPorts,
            String clusterId) throws Exception {
        return start(logDir, nodeId, brokerPorts.get(nodeId - 1), controllerPorts.get(nodeId - 1), controllerPorts, clusterId);
    }

    private static EmbeddedKafka start(Path logDir, int nodeId, int brokerPort, int controllerPort, List<Integer> controllerPorts,
            String clusterId) throws Exception {
        KafkaConfig config = new KafkaConfig(
                brokerProperties(logDir.toAbsolutePath(), nodeId, brokerPort, controllerPort, controllerPorts), false);
        formatIfNew(config, nodeId, clusterId);

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

    private static Properties brokerProperties(Path logDir, int nodeId, int brokerPort, int controllerPort,
            List<Integer> controllerPorts) {
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < controllerPorts.size(); i++) {
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(controllerPorts.get(i));
        }
        String replicas = String.valueOf(Math.min(3, controllerPorts.size()));
        String minInsync = controllerPorts.size() >= 3 ? "2" : "1";
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", voters.toString());
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // One node (the local stack): every topic, internal ones included, has one replica. From three
        // nodes on: three replicas, two in sync for a write. One partition for the group and transaction
        // coordinators keeps their startup fast.
        p.put("offsets.topic.replication.factor", replicas);
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minInsync);
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minInsync);
        p.put("min.insync.replicas", minInsync);
        p.put("default.replication.factor", replicas);
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
    private static void formatIfNew(KafkaConfig config, int nodeId, String clusterId) throws Exception {
        Path dir = Path.of(config.metadataLogDir());
        if (Files.exists(dir.resolve("meta.properties"))) {
            return;
        }
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(nodeId)
                .setClusterId(clusterId)
                .addDirectory(dir.toString())
                .setMetadataLogDirectory(dir.toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setFeatureLevel(TransactionVersion.FEATURE_NAME, TransactionVersion.TV_1.featureLevel())
                .run();
    }

    /** {@code n} different free loopback ports. */
    private static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }
}
