package io.flinkasr.api;

import io.flinkasr.api.store.JobExpiry;
import io.flinkasr.api.store.JobHead;
import io.flinkasr.api.store.JobStore;
import io.flinkasr.api.store.StoreOffset;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.records.Callback;
import io.flinkasr.records.Json;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.MediaAsset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import io.flinkasr.workflow.JobTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every job and media asset the API knows, materialised from the compacted topics into its
 * {@link JobStore}: the requests topic gives each job as Created, the states topic (committed transactions
 * only) its later states, the assets topic the registered media, the callbacks topic where each job's
 * completion callback stands. The store keeps the offsets it has read beside what they produced, so a
 * restart reads only what is new; a store folder that is new (or none configured) reads the topics from the
 * beginning. A job's state only moves forward here, whatever order records arrive in. A tombstone (null
 * value) removes what its key names; expired results are tombstoned by {@link JobExpiry}.
 */
public final class Catalog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);
    /** A start this many records behind reads them into the store in bulk ({@link JobStore#bulkLoading}). */
    static final long BULK_FROM_RECORDS = 20_000;
    /** The dashboard shows at most this many of the newest jobs (of every tenant), not the whole store. */
    static final int DASHBOARD_WINDOW = 2000;

    private final JobStore store;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final ReadBarrier barrier;
    private final String requestsTopic;
    private final String statesTopic;
    private final String assetsTopic;
    private final String callbacksTopic;
    private final Thread reader;
    private final ScheduledExecutorService sweeper;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final AtomicLong recordsRead = new AtomicLong();
    /** Parses and renders the records of a poll side by side; the reader writes them in order. */
    private final java.util.concurrent.ExecutorService preparing = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "job-table-prepare");
        t.setDaemon(true);
        return t;
    });
    /** Offsets still to read up to the ends the topics had at start (-1 until the reader has looked). */
    private final AtomicLong behind = new AtomicLong(-1);
    private volatile boolean running = true;

    public Catalog(Configuration config) {
        this(config, Clock.systemUTC());
    }

    /** @param clock what expiry measures the retention against */
    public Catalog(Configuration config, Clock clock) {
        String bootstrapServers = config.get(AsrOptions.BOOTSTRAP_SERVERS);
        this.requestsTopic = config.get(AsrOptions.REQUESTS_TOPIC);
        this.assetsTopic = config.get(AsrOptions.ASSETS_TOPIC);
        this.statesTopic = config.get(AsrOptions.STATES_TOPIC);
        this.callbacksTopic = config.get(AsrOptions.CALLBACKS_TOPIC);
        long cache = config.get(AsrOptions.API_STORE_CACHE).getBytes();
        try {
            this.store = config.getOptional(AsrOptions.API_STORE_DIR)
                    .map(dir -> open(Path.of(dir), cache))
                    .orElseGet(() -> temporary(cache));
        } catch (UncheckedIOException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
        try {
            this.producer = producer(bootstrapServers);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        Properties props = consumerSettings(bootstrapServers);
        try {
            this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        } catch (RuntimeException e) {
            producer.close();
            store.close();
            throw e;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        Map<TopicPartition, Long> ends;
        try {
            for (String topic : List.of(requestsTopic, statesTopic, assetsTopic, callbacksTopic)) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            List<TopicPartition> unread = new ArrayList<>();
            for (TopicPartition p : partitions) {
                long offset = store.offset(p.topic(), p.partition());
                if (offset >= 0) {
                    consumer.seek(p, offset); // where the store stopped: a restart reads only what is new
                } else {
                    unread.add(p);
                }
            }
            consumer.seekToBeginning(unread);
            ends = consumer.endOffsets(partitions);
        } catch (RuntimeException e) {
            consumer.close();
            producer.close();
            store.close(); // its folder unlocked (and a temporary one removed) when Kafka cannot be read
            throw e;
        }
        this.barrier = new ReadBarrier(new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
                partitions, config.get(AsrOptions.API_READ_BARRIER));
        this.reader = new Thread(() -> read(ends), "job-table");
        reader.setDaemon(true);
        reader.start();
        JobExpiry expiry = new JobExpiry(store, config.get(AsrOptions.JOB_RETENTION), clock, new KafkaTombstones());
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "job-expiry");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(() -> sweep(expiry), expiry.interval().toMillis(), expiry.interval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        return new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
    }

    private static Properties consumerSettings(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        JobTopics.limitFetches(props);
        return props;
    }

    private static JobStore open(Path dir, long cache) {
        try {
            return JobStore.open(dir, cache);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JobStore temporary(long cache) {
        try {
            return JobStore.temporary(cache);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void sweep(JobExpiry expiry) {
        if (caughtUp.getCount() > 0) {
            return; // a replica still reading old records would tombstone what a newer record may yet change
        }
        try {
            int removed = expiry.sweep();
            if (removed > 0) {
                LOG.info("Removed {} expired jobs and media assets", removed);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not remove expired jobs: {}", e.getMessage());
        }
    }

    /** Tombstones (key, null value) on every compacted topic that holds records of the job or asset. */
    private final class KafkaTombstones implements JobExpiry.Tombstones {
        @Override
        public void job(String jobId) throws IOException {
            tombstones(jobId, requestsTopic, statesTopic, callbacksTopic);
        }

        @Override
        public void asset(String mediaId) throws IOException {
            tombstones(mediaId, assetsTopic);
        }

        private void tombstones(String key, String... topics) throws IOException {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (String topic : topics) {
                sent.add(producer.send(new ProducerRecord<>(topic, key, null)));
            }
            try {
                for (java.util.concurrent.Future<?> f : sent) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (Exception e) {
                throw new IOException("could not write tombstones for " + key + ": " + e.getMessage(), e);
            }
        }
    }

    /** Whether the table still reads the topics (false once its reader has stopped on an error). */
    public boolean reading() {
        return running && reader.isAlive();
    }

    /** Records read from the topics since this catalog started (a restart that resumes reads only new ones). */
    public long recordsRead() {
        return recordsRead.get();
    }

    /** The store's next offset to read of a topic partition (-1: none read). */
    public long offset(String topic, int partition) {
        return store.offset(topic, partition);
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

    /**
     * Waits until caught up for as long as the reader makes progress, however long a new replica takes to read
     * millions of records: true then; false when the reader stopped on an error or read nothing for
     * {@code stall}. Gives {@code progress} the offsets to go every {@code every}.
     */
    public boolean awaitCaughtUp(Duration stall, Duration every, java.util.function.LongConsumer progress) throws InterruptedException {
        long lastRead = recordsRead.get();
        long lastProgress = System.nanoTime();
        long nextReport = lastProgress + every.toNanos();
        while (reading()) {
            if (caughtUp.await(200, TimeUnit.MILLISECONDS)) {
                return true;
            }
            long now = System.nanoTime();
            long read = recordsRead.get();
            if (read != lastRead) {
                lastRead = read;
                lastProgress = now;
            } else if (now - lastProgress > stall.toNanos()) {
                return false;
            }
            if (now >= nextReport) {
                progress.accept(behind());
                nextReport = now + every.toNanos();
            }
        }
        return caughtUp();
    }

    private void read(Map<TopicPartition, Long> ends) {
        long started = System.nanoTime();
        Map<TopicPartition, Long> remaining = new HashMap<>(ends);
        remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        behind.set(behind(remaining));
        try {
            if (remaining.isEmpty()) {
                caughtUp(started);
            } else if (behind.get() >= BULK_FROM_RECORDS) {
                LOG.info("Reading {} records into the job store in bulk (store {})", behind.get(), store.dir());
                store.bulkLoading(true);
            }
            while (running) {
                List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                apply(records);
                recordsRead.addAndGet(records.size());
                for (TopicPartition p : consumer.assignment()) {
                    barrier.reached(p, consumer.position(p));
                }
                if (caughtUp.getCount() > 0) {
                    remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                    behind.set(behind(remaining));
                    if (remaining.isEmpty()) {
                        caughtUp(started);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (IOException | RuntimeException e) {
            LOG.error("The job table stopped reading job states", e);
        } finally {
            consumer.close();
        }
    }

    private long behind(Map<TopicPartition, Long> remaining) {
        long sum = 0;
        for (Map.Entry<TopicPartition, Long> e : remaining.entrySet()) {
            sum += Math.max(0, e.getValue() - consumer.position(e.getKey()));
        }
        return sum;
    }

    /** Whether every record that existed at start has been read: until then the API answers ServiceUnavailable. */
    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    /**
     * Offsets still to read before {@link #caughtUp()} (records and transaction markers), 0 once caught up,
     * -1 before the reader has looked.
     */
    public long behind() {
        return caughtUp() ? 0 : behind.get();
    }

    /**
     * Refuses a request while the table has not read every record that existed at start (a new replica, or one
     * far behind): it would answer "does not exist" for jobs that do.
     */
    void requireCaughtUp() {
        if (!caughtUp()) {
            long n = behind();
            throw new IceException(503, "ServiceUnavailable", "The service is still reading its job records"
                    + (n > 0 ? String.format(java.util.Locale.ROOT, " (%,d to go)", n) : "") + "; try again shortly.");
        }
    }

    private void caughtUp(long started) throws IOException {
        store.bulkLoading(false);
        LOG.info("The job table caught up in {} ms, {} records read (store {})", (System.nanoTime() - started) / 1_000_000,
                recordsRead.get(), store.dir());
        caughtUp.countDown();
    }

    /** What a record changes in the store, worked out (parsed, rendered) apart from writing it. */
    @FunctionalInterface
    private interface Change {
        void write() throws IOException;
    }

    /** Applies a poll's records in their order; records of a poll are parsed and rendered side by side. */
    private void apply(List<ConsumerRecord<String, byte[]>> records) throws IOException {
        if (records.size() < 2) {
            for (ConsumerRecord<String, byte[]> record : records) {
                prepare(record).write();
            }
            return;
        }
        List<java.util.concurrent.Future<Change>> changes = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            changes.add(preparing.submit(() -> prepare(record)));
        }
        for (java.util.concurrent.Future<Change> change : changes) {
            try {
                change.get().write();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while reading the topics", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IOException(e.getCause());
            }
        }
    }

    private Change prepare(ConsumerRecord<String, byte[]> record) {
        StoreOffset at = new StoreOffset(record.topic(), record.partition(), record.offset() + 1);
        String topic = record.topic();
        if (record.value() == null) {
            if (record.key() == null) {
                return () -> store.advance(at);
            } else if (topic.equals(requestsTopic) || topic.equals(statesTopic)) {
                return () -> store.deleteJob(record.key(), at);
            } else if (topic.equals(callbacksTopic)) {
                return () -> store.deleteCallback(record.key(), at);
            } else {
                return () -> store.deleteAsset(record.key(), at);
            }
        }
        try {
            if (topic.equals(requestsTopic)) {
                JobRequest request = Json.read(record.value(), JobRequest.class);
                if (request.jobId == null) {
                    return () -> store.advance(at);
                }
                JobStatus created = JobStatus.of(request, JobState.Created, request.createTime);
                return prepare(created, Json.bytes(created), at);
            } else if (topic.equals(callbacksTopic)) {
                Callback callback = Json.read(record.value(), Callback.class);
                return callback.jobId == null ? () -> store.advance(at) : () -> store.putCallback(callback.jobId, record.value(), at);
            } else if (topic.equals(assetsTopic)) {
                return () -> { // the store reads the asset as it replaces the one before
                    try {
                        store.putAsset(record.value(), at);
                    } catch (com.fasterxml.jackson.core.JacksonException | RuntimeException e) {
                        skipUnreadable(record, at);
                    }
                };
            } else {
                return prepare(Json.read(record.value(), JobStatus.class), record.value(), at);
            }
        } catch (RuntimeException | IOException e) {
            return () -> skipUnreadable(record, at);
        }
    }

    private void skipUnreadable(ConsumerRecord<String, byte[]> record, StoreOffset at) throws IOException {
        LOG.warn("Skipping an unreadable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
        store.advance(at);
    }

    /** Writes a job request to the requests topic (key = JobId) and shows the job as Created at once. */
    public void submit(JobRequest request) {
        write(requestsTopic, request.jobId, request);
        apply(JobStatus.of(request, JobState.Created, request.createTime));
    }

    /** Writes a media asset to the assets topic (key = MediaId) and shows it at once. */
    public void register(MediaAsset asset) {
        write(assetsTopic, asset.mediaId, asset);
        try {
            store.putAsset(Json.bytes(asset), null);
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    private void write(String topic, String key, Object value) {
        // waiting for the broker's acknowledgement is no work: a submit does not hold a request slot meanwhile,
        // so a slow or unreachable broker leaves reads, which the store answers, running
        try (RequestSlots.Away away = RequestSlots.stepOut()) {
            producer.send(new ProducerRecord<>(topic, key, Json.bytes(value))).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IceException(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
        } catch (Exception e) {
            LOG.error("Could not write {} to {}", key, topic, e);
            throw new IceException(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
        }
    }

    private static IceException unavailable(Exception e) {
        LOG.error("The job store failed", e);
        return new IceException(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
    }

    /**
     * Whether the reader has caught up with the topics' current end (bounded by asr.api.read-barrier): what
     * a replica does before it answers that something does not exist.
     */
    private boolean readToNow() {
        try {
            return barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The asset, if it exists and belongs to the user. */
    public MediaAsset asset(String mediaId, long userId) {
        byte[] json = store.asset(mediaId);
        if (json == null && readToNow()) {
            json = store.asset(mediaId);
        }
        MediaAsset asset = json == null ? null : Json.read(json, MediaAsset.class);
        return asset != null && asset.userId == userId ? asset : null;
    }

    /** The user's asset registered for this InputURL. */
    public MediaAsset assetOf(String inputUrl, long userId) {
        String mediaId = store.assetIdOf(userId, inputUrl);
        if (mediaId == null && readToNow()) {
            mediaId = store.assetIdOf(userId, inputUrl);
        }
        return mediaId == null ? null : asset(mediaId, userId);
    }

    /** Takes a state if it moves the job forward (or updates the progress of an Executing job). */
    public void apply(JobStatus status) {
        if (status == null || status.request == null || status.request.jobId == null || status.state == null) {
            return;
        }
        try {
            put(status, Json.bytes(status), null);
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    /** Stores a job's state with what the API renders of it once: its row in a list and a Finished job's result. */
    private void put(JobStatus status, byte[] statusJson, StoreOffset at) throws IOException {
        prepare(status, statusJson, at).write();
    }

    /** A job's state with what the API renders of it once, ready to store: its head, its row in a list and a Finished job's result. */
    private Change prepare(JobStatus status, byte[] statusJson, StoreOffset at) throws IOException {
        JobHead head = JobHead.parse(statusJson);
        if (head == null) {
            return () -> store.advance(at);
        }
        byte[] listEntry = status.request == null || status.request.jobId == null || status.state == null
                ? null : Json.MAPPER.writeValueAsBytes(IceResponses.listEntry(status));
        byte[] summary = JobStore.summaryOf(statusJson, status);
        byte[] result = FinishedResult.render(status);
        byte[] answer = listEntry == null ? null : JobAnswer.frame(status);
        return () -> store.putJob(head, statusJson, summary, listEntry, result, answer, at);
    }

    /** Where the job's completion callback stands, if it has one and belongs to the user. */
    public Callback callback(String jobId, long userId) {
        byte[] json = store.callback(jobId);
        Callback callback = json == null ? null : Json.read(json, Callback.class);
        return callback != null && callback.userId == userId ? callback : null;
    }

    /**
     * The job, if it exists and belongs to the user. A JobId this replica has not seen waits (bounded) until
     * it has read the topics to their current end: a job just submitted through another replica is found.
     */
    public JobStatus get(String jobId, long userId) {
        return owned(jobId, userId) ? find(jobId) : null;
    }

    /**
     * The job as GetSmartHandleJob shows it, if it exists and belongs to the user: the frame of its answer and,
     * once it is Finished, its result, both as rendered when they were stored; for a job stored by an older
     * version, its state without segments and chunks and its result.
     */
    public JobView view(String jobId, long userId) {
        byte[] frame = store.answer(jobId);
        if (frame != null) {
            if (JobAnswer.owner(frame) != userId) {
                return null;
            }
            if (!JobAnswer.finished(frame)) {
                return new JobView(null, null, frame);
            }
            byte[] result = store.result(jobId);
            if (result != null) {
                return new JobView(null, FinishedResult.of(result), frame);
            }
        }
        byte[] summary = store.summary(jobId);
        if (summary == null && readToNow()) {
            byte[] read = store.answer(jobId);
            if (read != null) {
                return view(jobId, userId);
            }
            summary = store.summary(jobId);
        }
        JobStatus status = summary == null ? null : Json.read(summary, JobStatus.class);
        if (status == null || status.request == null || status.request.userId != userId) {
            return null;
        }
        if (status.state != JobState.Finished) {
            return new JobView(status, null, null); // the answer shows no segments or chunks before the job finishes
        }
        byte[] result = store.result(jobId);
        if (result != null) {
            return new JobView(status, FinishedResult.of(result), null);
        }
        JobStatus whole = find(jobId); // stored by an older version: rendered from its segments
        return whole == null ? null : new JobView(whole, null, null);
    }

    /**
     * A job as GetSmartHandleJob shows it: the frame of its answer ({@link JobAnswer}) or, stored by an older
     * version, its state; and once it is Finished, its rendered result (null with a state: render it from the
     * job's segments).
     */
    public record JobView(JobStatus status, FinishedResult result, byte[] frame) {}

    private boolean owned(String jobId, long userId) {
        JobHead head = store.head(jobId);
        if (head == null && readToNow()) {
            head = store.head(jobId);
        }
        return head != null && head.userId() == userId;
    }

    /** The job, whoever it belongs to (the dashboard of an operator), or null. */
    public JobStatus find(String jobId) {
        byte[] json = store.job(jobId);
        return json == null ? null : Json.read(json, JobStatus.class);
    }

    /** How many jobs are in the state, over all users (kept as counts, not counted per request). */
    public long count(JobState state) {
        return store.count(state);
    }

    /**
     * How long the Created or Executing job that has gone longest without a new state (progress) has waited, in
     * milliseconds at {@code now}; 0 when no job is waiting, or while the table has not caught up (an old
     * record read before its newer ones would look like a job that waits).
     */
    public long longestWithoutProgress(long now) {
        if (!caughtUp()) {
            return 0;
        }
        long oldest = store.oldestActiveChange();
        return oldest < 0 ? 0 : Math.max(0, now - oldest);
    }

    /** The user's jobs, a page at a time (ListSmartJobs). */
    JobPages pagesOf(long userId) {
        return new StoredPages(store, userId);
    }

    /**
     * The newest jobs of every user that match, newest first (the dashboard of an operator): among the
     * {@value #DASHBOARD_WINDOW} newest, not the whole store.
     */
    public List<JobStatus> listAll(Predicate<JobStatus> filter) {
        return newest(filter, false);
    }

    /**
     * As {@link #listAll}, each job without its segments and chunks (a list's rows): a page of the dashboard
     * does not read the transcripts of the newest jobs.
     */
    public List<JobStatus> listSummaries(Predicate<JobStatus> filter) {
        return newest(filter, true);
    }

    private List<JobStatus> newest(Predicate<JobStatus> filter, boolean summaries) {
        return store.newest(DASHBOARD_WINDOW, summaries).stream()
                .map(json -> Json.read(json, JobStatus.class))
                .filter(filter)
                .toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sweeper.shutdownNow();
        consumer.wakeup();
        reader.join(10_000);
        preparing.shutdownNow();
        barrier.close();
        producer.close();
        sweeper.awaitTermination(10, TimeUnit.SECONDS);
        store.close();
    }
}
