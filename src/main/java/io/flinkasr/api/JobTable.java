package io.flinkasr.api;

import io.flinkasr.records.Json;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every job the API knows, materialised from the two compacted topics: the requests topic gives each
 * job as Created, the states topic (committed transactions only) its later states. A restart of the API
 * reads both from the beginning, so no job is lost. A job's state only moves forward here, whatever
 * order records arrive in.
 */
public final class JobTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobTable.class);

    private final Map<String, JobStatus> jobs = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final String requestsTopic;
    private final Thread reader;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean running = true;

    public JobTable(String bootstrapServers, String requestsTopic, String statesTopic) {
        this.requestsTopic = requestsTopic;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 * 1024 * 1024));
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(requestsTopic, statesTopic)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        this.reader = new Thread(() -> read(ends), "job-table");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until every record that existed at start has been read. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void read(Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> remaining = new HashMap<>(ends);
        remaining.values().removeIf(end -> end == 0);
        if (remaining.isEmpty()) {
            caughtUp.countDown();
        }
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    apply(record);
                }
                if (caughtUp.getCount() > 0) {
                    remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                    if (remaining.isEmpty()) {
                        caughtUp.countDown();
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("The job table stopped reading job states", e);
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            if (record.topic().equals(requestsTopic)) {
                JobRequest request = Json.read(record.value(), JobRequest.class);
                apply(JobStatus.of(request, JobState.Created, request.createTime));
            } else {
                apply(Json.read(record.value(), JobStatus.class));
            }
        } catch (RuntimeException e) {
            LOG.warn("Skipping an unreadable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
        }
    }

    /** Takes a state if it moves the job forward (or updates the progress of an Executing job). */
    public void apply(JobStatus status) {
        if (status == null || status.request == null || status.request.jobId == null || status.state == null) {
            return;
        }
        jobs.merge(status.jobId(), status, (current, next) -> current.state.mayMoveTo(next.state) ? next : current);
    }

    /** The job, if it exists and belongs to the user. */
    public JobStatus get(String jobId, long userId) {
        JobStatus status = jobs.get(jobId);
        return status != null && status.request.userId == userId ? status : null;
    }

    /** The user's jobs that match, newest first. */
    public List<JobStatus> list(long userId, Predicate<JobStatus> filter) {
        return jobs.values().stream()
                .filter(s -> s.request.userId == userId)
                .filter(filter)
                .sorted(Comparator.comparingLong((JobStatus s) -> s.request.createTime)
                        .thenComparing(s -> s.request.jobId)
                        .reversed())
                .toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        reader.join(10_000);
    }
}
