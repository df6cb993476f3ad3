package io.flinkasr.workflow;

import io.flinkasr.config.AsrOptions;
import java.util.HashMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.flink.configuration.Configuration;

/**
 * The topics the job and the API share: their names ({@code asr.kafka.*-topic}), the largest record they hold,
 * and their creation: requests (written by the API, key = JobId), states (written by the job with exactly-once
 * transactions, key = JobId), assets (key = MediaId), all compacted; callbacks (compacted) and events. The
 * job's Kafka source and sink on them are in flink-asr-job ({@code KafkaEnds}).
 */
public final class JobTopics {
    /** How long a broker has to answer before the commands say Kafka is out of reach. */
    public static final Duration REACH_TIMEOUT = Duration.ofSeconds(10);

    /** The largest record on the requests, states and assets topics (a long job's transcript): 16 MB. */
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    /**
     * The most a long-lived consumer of the API's process asks for in one fetch (fetch.max.bytes and
     * max.partition.fetch.bytes; a larger record still comes, alone). Java reads a socket into a heap buffer
     * through a temporary direct buffer as large as the answer, and keeps it only up to
     * jdk.nio.maxCachedBufferSize (256 KB where the API runs): with Kafka's default 50 MB fetches, every read
     * allocated and zeroed tens of MB, and a new replica's build of a million jobs stalled at 94 % CPU in memset.
     */
    public static final int FETCH_BYTES = 240 * 1024;

    /** Sets a consumer's fetch sizes to {@link #FETCH_BYTES}. */
    public static void limitFetches(java.util.Properties consumer) {
        consumer.put("max.partition.fetch.bytes", String.valueOf(FETCH_BYTES));
        consumer.put("fetch.max.bytes", String.valueOf(FETCH_BYTES));
    }

    private JobTopics() {}

    /**
     * Creates the requests, states and assets topics where they do not exist yet: compacted (the latest record
     * of each job is kept for ever), 16 MB records; and the callbacks (compacted) and events topics. Replicas and
     * min.insync.replicas from {@code asr.kafka.replication-factor} / {@code asr.kafka.min-insync-replicas} (else
     * the brokers' defaults).
     */
    public static void ensureExist(Configuration config) throws Exception {
        String bootstrapServers = config.get(AsrOptions.BOOTSTRAP_SERVERS);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Admin created;
        try {
            created = Admin.create(props);
        } catch (KafkaException unresolvable) {
            throw new KafkaUnreachableException(bootstrapServers, Duration.ZERO, unresolvable);
        }
        try (Admin admin = created) {
            // a broker out of reach is told in seconds, not after the Admin client's minute of retries
            try {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) REACH_TIMEOUT.toMillis()))
                        .nodes().get(REACH_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new KafkaUnreachableException(bootstrapServers, REACH_TIMEOUT, e);
            }
            for (String name : List.of(config.get(AsrOptions.REQUESTS_TOPIC), config.get(AsrOptions.STATES_TOPIC),
                    config.get(AsrOptions.ASSETS_TOPIC))) {
                create(admin, topic(config, name, Map.of("cleanup.policy", "compact", "max.message.bytes", String.valueOf(MAX_RECORD_BYTES))));
            }
            // completion callbacks: each job's latest callback record kept (compacted); the events topic is a
            // stream for consumers inside the platform, kept as long as the cluster keeps topics (7 days by default)
            create(admin, topic(config, config.get(AsrOptions.CALLBACKS_TOPIC), Map.of("cleanup.policy", "compact")));
            create(admin, topic(config, config.get(AsrOptions.EVENTS_TOPIC), Map.of()));
        }
    }

    private static NewTopic topic(Configuration config, String name, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        config.getOptional(AsrOptions.MIN_INSYNC_REPLICAS).ifPresent(n -> all.put("min.insync.replicas", String.valueOf(n)));
        return new NewTopic(name, Optional.of(config.get(AsrOptions.TOPIC_PARTITIONS)),
                        config.getOptional(AsrOptions.REPLICATION_FACTOR).map(Integer::shortValue))
                .configs(all);
    }

    private static void create(Admin admin, NewTopic topic) throws Exception {
        try {
            admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
