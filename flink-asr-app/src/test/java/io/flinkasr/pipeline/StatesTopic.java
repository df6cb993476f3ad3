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
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(JobTopics.MAX_RECORD_BYTES));
        Map<String, List<JobStatus>> byJob = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(AsrOptions.STATES_TOPIC.defaultValue(), Duration.ofSeconds(30))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        byJob.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Json.read(r.value(), JobStatus.class));
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the states topic was not read to its end within a minute");
                }
            }
        }
        return byJob;
    }
}
