package io.flinkasr.cluster;

import io.flinkasr.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka cluster of several KRaft nodes on loopback, each a combined broker and controller in a JVM of its
 * own ({@link KafkaBrokerMain}, log {@code kafka-N.log}, data {@code DIR/kafka-N}): for fault tests that
 * SIGKILL one node, wipe its log folder (a lost disk) and start it again. Node ids are 1 to n; every topic has
 * min(3, n) replicas, two in sync for a write from three nodes on ({@link io.flinkasr.local.EmbeddedKafka#startNode}).
 */
public final class KafkaBrokers implements AutoCloseable {
    /** A guard against a hang: three JVMs starting at once took over 2 min here, on 2 cores under load 30. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    private final Path dir;
    private final Path logDir;
    private final List<Integer> brokerPorts;
    private final List<Integer> controllerPorts;
    private final String clusterId = Uuid.randomUuid().toString();
    private final List<JavaProcess> nodes = new ArrayList<>();

    private KafkaBrokers(Path dir, Path logDir, int count) {
        this.dir = dir.toAbsolutePath();
        this.logDir = logDir;
        List<Integer> ports = FreePorts.take(2 * count);
        this.brokerPorts = ports.subList(0, count);
        this.controllerPorts = ports.subList(count, 2 * count);
    }

    /** Starts {@code count} nodes side by side (each waits for a majority of controllers) and returns once all are ready. */
    public static KafkaBrokers start(Path dir, int count, Path logDir) throws Exception {
        KafkaBrokers brokers = new KafkaBrokers(dir, logDir, count);
        List<CompletableFuture<JavaProcess>> starting = new ArrayList<>();
        for (int node = 1; node <= count; node++) {
            int id = node;
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return brokers.startNode(id);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        try {
            for (CompletableFuture<JavaProcess> node : starting) {
                brokers.nodes.add(node.join());
            }
            return brokers;
        } catch (CompletionException e) {
            starting.forEach(f -> f.thenAccept(JavaProcess::closeQuietly));
            throw e;
        }
    }

    /** Every node's broker, comma-separated. */
    public String bootstrapServers() {
        return brokerPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    public int size() {
        return brokerPorts.size();
    }

    /** SIGKILLs node {@code node} (1 to n) and waits until it is gone. */
    public void kill(int node) throws InterruptedException {
        nodes.get(node - 1).kill();
    }

    /** Deletes the log folder of node {@code node}, which must not run: a lost disk. */
    public void wipe(int node) throws IOException {
        if (nodes.get(node - 1).alive()) {
            throw new IllegalStateException("kafka-" + node + " still runs");
        }
        Path data = dataDir(node);
        if (Files.exists(data)) {
            try (Stream<Path> all = Files.walk(data)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Starts node {@code node} again on its ports and folder (formatting the folder if it was wiped). */
    public void restart(int node) throws Exception {
        nodes.get(node - 1).restart(KafkaBrokerMain.READY, START_TIMEOUT);
    }

    /**
     * Partitions of every topic, the internal ones included, whose in-sync replicas are fewer than their
     * replicas, as {@code topic-partition isr=[..] replicas=[..]}; empty when every node holds every
     * partition it should.
     */
    public List<String> underReplicatedPartitions() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            List<String> under = new ArrayList<>();
            for (TopicDescription topic : topics.values()) {
                for (TopicPartitionInfo p : topic.partitions()) {
                    if (p.isr().size() < p.replicas().size()) {
                        under.add(topic.name() + "-" + p.partition() + " isr=" + ids(p.isr()) + " replicas=" + ids(p.replicas()));
                    }
                }
            }
            return under;
        }
    }

    /** The node that leads partition {@code partition} of {@code topic} (for {@code __transaction_state}: the transaction coordinator). */
    public int leaderOf(String topic, int partition) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().get(partition).leader().id();
        }
    }

    /** Each topic (internal ones included) with its partitions' replica counts, e.g. {@code __transaction_state: 3}. */
    public Map<String, List<Integer>> replicaCounts() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
            return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                    .collect(Collectors.toMap(TopicDescription::name,
                            t -> t.partitions().stream().map(p -> p.replicas().size()).toList()));
        }
    }

    @Override
    public void close() {
        nodes.forEach(JavaProcess::closeQuietly);
    }

    private JavaProcess startNode(int node) throws Exception {
        return JavaProcess.start("kafka-" + node, logDir.resolve("kafka-" + node + ".log"), List.of("-Xmx384m"),
                KafkaBrokerMain.class.getName(),
                List.of(dataDir(node).toString(), String.valueOf(node), join(brokerPorts), join(controllerPorts), clusterId),
                KafkaBrokerMain.READY, START_TIMEOUT);
    }

    private Path dataDir(int node) {
        return dir.resolve("kafka-" + node);
    }

    private static String join(List<Integer> ports) {
        return ports.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String ids(List<org.apache.kafka.common.Node> nodes) {
        return nodes.stream().map(n -> String.valueOf(n.id())).collect(Collectors.joining(",", "[", "]"));
    }
}
