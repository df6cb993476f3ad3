package io.flinkasr.workflow;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.records.Json;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
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
 * The Kafka ends of the pipeline, on the {@link JobTopics}: requests in (written by the API, key = JobId),
 * states out to a compacted topic (key = JobId) with exactly-once transactions, so that what the API reads
 * only ever holds states of completed checkpoints and never a state that a restart takes back.
 */
public final class KafkaEnds {
    private KafkaEnds() {}

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
        producer.setProperty("max.request.size", String.valueOf(JobTopics.MAX_RECORD_BYTES));
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
