package io.flinkasr.api;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.records.Callback;
import io.flinkasr.records.Json;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.MediaAsset;
import io.flinkasr.workflow.JobTopics;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every job and media asset the API knows, materialised from the compacted topics: the requests topic
 * gives each job as Created, the states topic (committed transactions only) its later states, the assets
 * topic the registered media, the callbacks topic where each job's completion callback stands. A restart
 * of the API reads them from the beginning, so nothing is lost. A job's state only moves forward here,
 * whatever order records arrive in.
 */
public final class Catalog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);

    private final Map<String, JobStatus> jobs = new ConcurrentHashMap<>();
    private final Map<String, MediaAsset> assets = new ConcurrentHashMap<>();
    private final Map<String, Callback> callbacks = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final String requestsTopic;
    private final String assetsTopic;
    private final String callbacksTopic;
    private final Thread reader;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean running = true;

    public Catalog(Configuration config) {
        String bootstrapServers = config.get(AsrOptions.BOOTSTRAP_SERVERS);
        this.requestsTopic = config.get(AsrOptions.REQUESTS_TOPIC);
        this.assetsTopic = config.get(AsrOptions.ASSETS_TOPIC);
        String statesTopic = config.get(AsrOptions.STATES_TOPIC);
        this.callbacksTopic = config.get(AsrOptions.CALLBACKS_TOPIC);
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(JobTopics.MAX_RECORD_BYTES));
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(requestsTopic, statesTopic, assetsTopic, callbacksTopic)) {
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

    /** Whether the table still reads the topics (false once its reader has stopped on an error). */
    public boolean reading() {
        return running && reader.isAlive();
    }

    /**
     * Waits until every record that existed at start has been read: true then; false when the timeout
     * passed first or the reader stopped on an error (which it logs).
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (reading()) {
            long left = deadline - System.nanoTime();
            if (caughtUp.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)), TimeUnit.NANOSECONDS)) {
                return true;
            }
            if (left <= 0) {
                return false;
            }
        }
        return caughtUp.getCount() == 0;
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
            } else if (record.topic().equals(callbacksTopic)) {
                Callback callback = Json.read(record.value(), Callback.class);
                callbacks.put(callback.jobId, callback);
            } else if (record.topic().equals(assetsTopic)) {
                MediaAsset asset = Json.read(record.value(), MediaAsset.class);
                assets.put(asset.mediaId, asset);
            } else {
                apply(Json.read(record.value(), JobStatus.class));
            }
        } catch (RuntimeException e) {
            LOG.warn("Skipping an unreadable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
        }
    }

    /** Writes a job request to the requests topic (key = JobId) and shows the job as Created at once. */
    public void submit(JobRequest request) {
        write(requestsTopic, request.jobId, request);
        apply(JobStatus.of(request, JobState.Created, request.createTime));
    }

    /** Writes a media asset to the assets topic (key = MediaId) and shows it at once. */
    public void register(MediaAsset asset) {
        write(assetsTopic, asset.mediaId, asset);
        assets.put(asset.mediaId, asset);
    }

    private void write(String topic, String key, Object value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, Json.bytes(value))).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IceException(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
        } catch (Exception e) {
            LOG.error("Could not write {} to {}", key, topic, e);
            throw new IceException(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
        }
    }

    /** The asset, if it exists and belongs to the user. */
    public MediaAsset asset(String mediaId, long userId) {
        MediaAsset asset = assets.get(mediaId);
        return asset != null && asset.userId == userId ? asset : null;
    }

    /** The user's newest asset registered for this InputURL. */
    public MediaAsset assetOf(String inputUrl, long userId) {
        return assets.values().stream()
                .filter(a -> a.userId == userId && a.inputUrl.equals(inputUrl))
                .max(Comparator.comparingLong(a -> a.createTime))
                .orElse(null);
    }

    /** Takes a state if it moves the job forward (or updates the progress of an Executing job). */
    public void apply(JobStatus status) {
        if (status == null || status.request == null || status.request.jobId == null || status.state == null) {
            return;
        }
        jobs.merge(status.jobId(), status, (current, next) -> current.state.mayMoveTo(next.state) ? next : current);
    }

    /** Where the job's completion callback stands, if it has one and belongs to the user. */
    public Callback callback(String jobId, long userId) {
        Callback callback = callbacks.get(jobId);
        return callback != null && callback.userId == userId ? callback : null;
    }

    /** The job, if it exists and belongs to the user. */
    public JobStatus get(String jobId, long userId) {
        JobStatus status = jobs.get(jobId);
        return status != null && status.request.userId == userId ? status : null;
    }

    /** The job, whoever it belongs to (the dashboard of an operator), or null. */
    public JobStatus find(String jobId) {
        return jobs.get(jobId);
    }

    /** How many jobs are in the state, over all users. */
    public long count(JobState state) {
        return jobs.values().stream().filter(s -> s.state == state).count();
    }

    /**
     * How long the Created or Executing job that has gone longest without a new state (progress) has waited, in
     * milliseconds at {@code now}; 0 when no job is waiting.
     */
    public long longestWithoutProgress(long now) {
        return jobs.values().stream()
                .filter(s -> !s.state.isFinal())
                .mapToLong(s -> Math.max(0, now - s.modifiedTime))
                .max()
                .orElse(0);
    }

    /** The user's jobs that match, newest first. */
    public List<JobStatus> list(long userId, Predicate<JobStatus> filter) {
        return listAll(s -> s.request.userId == userId && filter.test(s));
    }

    /** Every user's jobs that match, newest first (the dashboard of an operator). */
    public List<JobStatus> listAll(Predicate<JobStatus> filter) {
        return jobs.values().stream()
                .filter(filter)
                .sorted(JobListing.NEWEST_FIRST)
                .toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        reader.join(10_000);
        producer.close();
    }
}
