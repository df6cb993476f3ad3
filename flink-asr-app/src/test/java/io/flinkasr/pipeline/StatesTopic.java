package io.flinkasr.pipeline;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import io.flinkasr.workflow.JobTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The states topic as a reader outside flink-asr sees it: every committed record (read_committed), by job. */
final class StatesTopic {
    private StatesTopic() {}

    /** Each job's states in topic order (one partition per key), read from the beginning to the current end. */
    static Map<String, List<JobStatus>> read(String bootstrap) {
        Map<String, List<JobStatus>> byJob = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records(bootstrap, "read_committed")) {
            if (r.value() != null) {
                byJob.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Json.read(r.value(), JobStatus.class));
            }
        }
        return byJob;
    }

    /**
     * Every record of the topic, from the beginning to the current end, partition by partition, as a reader with
     * this {@code isolation.level} sees them ({@code read_uncommitted}: also what a checkpoint has not committed yet,
     * each with the time it was written).
     */
    static List<ConsumerRecord<String, byte[]>> records(String bootstrap, String isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(JobTopics.MAX_RECORD_BYTES));
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(AsrOptions.STATES_TOPIC.defaultValue(), Duration.ofSeconds(30))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the states topic was not read to its end within a minute");
                }
            }
        }
        return records;
    }
}
