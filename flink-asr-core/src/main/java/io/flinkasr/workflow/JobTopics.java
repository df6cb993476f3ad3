package io.flinkasr.workflow;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.records.Json;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The Kafka ends of the pipeline: requests in (written by the API, key = JobId), states out to a
 * compacted topic (key = JobId) with exactly-once transactions, so that what the API reads only ever
 * holds states of completed checkpoints and never a state that a restart takes back.
 */
public final class JobTopics {
    /** How long a broker has to answer before the commands say Kafka is out of reach. */
    public static final Duration REACH_TIMEOUT = Duration.ofSeconds(10);

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
                create(admin, topic(config, name, Map.of("cleanup.policy", "compact", "max.message.bytes", "16777216")));
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

    public static KafkaSource<JobRequest> requests(Configuration config) {
        return KafkaSource.<JobRequest>builder()
                .setBootstrapServers(config.get(AsrOptions.BOOTSTRAP_SERVERS))
                .setTopics(config.get(AsrOptions.REQUESTS_TOPIC))
                .setGroupId(config.get(AsrOptions.GROUP_ID))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(new RequestSchema()))
                .build();
    }

    public static KafkaSink<JobStatus> states(Configuration config) {
        Properties producer = new Properties();
        // below the broker's transaction.max.timeout.ms (15 min), or the sink cannot start
        producer.setProperty("transaction.timeout.ms", "600000");
        producer.setProperty("max.request.size", "16777216");
        producer.setProperty("compression.type", "lz4");
        String topic = config.get(AsrOptions.STATES_TOPIC);
        return KafkaSink.<JobStatus>builder()
                .setBootstrapServers(config.get(AsrOptions.BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.get(AsrOptions.GROUP_ID) + "-states")
                .setRecordSerializer(
                        KafkaRecordSerializationSchema.<JobStatus>builder()
                                .setTopic(topic)
                                .setKeySerializationSchema(new StatusKey())
                                .setValueSerializationSchema(new StatusValue())
                                .build())
                .build();
    }

    /** The key of a state record: its JobId, so that compaction keeps each job's latest state. */
    static final class StatusKey implements SerializationSchema<JobStatus> {
        @Override
        public byte[] serialize(JobStatus status) {
            return status.jobId().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The value of a state record: the JobStatus as JSON. */
    static final class StatusValue implements SerializationSchema<JobStatus> {
        @Override
        public byte[] serialize(JobStatus status) {
            return Json.bytes(status);
        }
    }

    /** Reads request JSON; a record that is not a request is skipped rather than failing the job. */
    static final class RequestSchema implements DeserializationSchema<JobRequest> {
        @Override
        public JobRequest deserialize(byte[] message) throws IOException {
            if (message == null) {
                return null;
            }
            try {
                JobRequest request = Json.MAPPER.readValue(message, JobRequest.class);
                return request.jobId == null || request.inputFile == null ? null : request;
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public boolean isEndOfStream(JobRequest next) {
            return false;
        }

        @Override
        public TypeInformation<JobRequest> getProducedType() {
            return TypeInformation.of(JobRequest.class);
        }
    }
}
