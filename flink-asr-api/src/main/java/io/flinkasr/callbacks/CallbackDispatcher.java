package io.flinkasr.callbacks;

import io.flinkasr.api.AccessKey;
import io.flinkasr.api.AccessKeys;
import io.flinkasr.media.remote.OutboundAddresses;
import io.flinkasr.records.Callback;
import io.flinkasr.records.CallbackState;
import io.flinkasr.records.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.flinkasr.workflow.JobTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
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
 * Delivers the callbacks of the callbacks topic. It reads the compacted topic from the beginning (committed
 * transactions only), keeps each job's latest record and, once it has read to the end, schedules every
 * Pending one at its next attempt time; records written later (new callbacks, its own outcomes) are
 * scheduled as they arrive. An attempt's outcome is a new record: Delivered, GaveUp, or Pending with one
 * more attempt and a later time. The topic is therefore the only memory that matters: a process killed
 * at any point starts again from the records written, and at worst repeats the attempt it was making
 * (at least once; the event id lets receivers drop the repeat).
 *
 * <p>Attempts run on a pool of {@code asr.callbacks.concurrency} threads with a timeout each, and at most
 * {@code asr.callbacks.per-host} at once to one host; waiting for a retry holds no thread. So a slow or dead
 * receiver holds back nothing but its own callbacks.
 */
final class CallbackDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackDispatcher.class);
    private static final Duration HOST_BUSY_WAIT = Duration.ofMillis(500);

    private final CallbackSettings settings;
    private final AccessKeys keys;
    private final CallbackSender sender;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    /** The latest Pending record of each job whose callback is not delivered or given up. */
    private final Map<String, Callback> pending = new ConcurrentHashMap<>();
    private final Map<String, Integer> busyHosts = new HashMap<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService attempts;
    private final Thread reader;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Counter delivered;
    private final Counter failedAttempts;
    private final Counter givenUp;
    private volatile boolean running = true;

    CallbackDispatcher(CallbackSettings settings, AccessKeys keys, MeterRegistry meters) {
        this.settings = settings;
        this.keys = keys;
        this.sender = new CallbackSender(new OutboundAddresses(settings.addresses()), settings.timeout());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        JobTopics.limitFetches(c);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.delivered = Counter.builder("flinkasr.callbacks.delivered")
                .description("Completion callbacks delivered (a 2xx answer)").register(meters);
        this.failedAttempts = Counter.builder("flinkasr.callbacks.attempts.failed")
                .description("Callback attempts that failed (another answer, a timeout, a refused address)").register(meters);
        this.givenUp = Counter.builder("flinkasr.callbacks.given.up")
                .description("Completion callbacks given up after asr.callbacks.give-up-after").register(meters);
        Gauge.builder("flinkasr.callbacks.pending", pending, Map::size)
                .description("Completion callbacks waiting for their next attempt").register(meters);
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("callback-timer"));
        this.attempts = Executors.newFixedThreadPool(settings.concurrency(), daemon("callback-attempt"));

        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(settings.callbacksTopic(), Duration.ofSeconds(30))
                .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        this.reader = new Thread(() -> read(ends), "callback-table");
        reader.setDaemon(true);
        reader.start();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Waits until the records that existed at start are read and their callbacks scheduled. */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void read(Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> remaining = new HashMap<>(ends);
        try {
            while (running) {
                if (caughtUp.getCount() > 0) {
                    remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                    if (remaining.isEmpty()) {
                        LOG.info("{} completion callbacks pending", pending.size());
                        caughtUp.countDown();
                        pending.values().forEach(this::schedule);
                    }
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    apply(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Completion callbacks stopped reading {}", settings.callbacksTopic(), e);
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            pending.remove(record.key());
            return;
        }
        Callback callback;
        try {
            callback = Json.read(record.value(), Callback.class);
        } catch (RuntimeException e) {
            LOG.warn("Skipping an unreadable callback at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        if (callback.jobId == null || callback.state == null) {
            return;
        }
        if (callback.state == CallbackState.Pending && callback.event != null && callback.address != null) {
            pending.put(callback.jobId, callback);
            if (caughtUp.getCount() == 0) {
                schedule(callback);
            }
        } else {
            pending.remove(callback.jobId);
        }
    }

    private void schedule(Callback callback) {
        schedule(callback, Math.max(0, callback.nextAttemptAt - System.currentTimeMillis()));
    }

    private void schedule(Callback callback, long delayMillis) {
        try {
            timer.schedule(() -> due(callback), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: the callback stays Pending in the topic
        }
    }

    /** A callback's time has come: attempt it now, unless a later record replaced it or its host is busy. */
    private void due(Callback callback) {
        if (!running || pending.get(callback.jobId) != callback) {
            return;
        }
        String host = host(callback.address);
        synchronized (busyHosts) {
            int busy = busyHosts.getOrDefault(host, 0);
            if (busy >= settings.perHost()) {
                schedule(callback, HOST_BUSY_WAIT.toMillis());
                return;
            }
            busyHosts.put(host, busy + 1);
        }
        try {
            attempts.execute(() -> {
                try {
                    attempt(callback);
                } finally {
                    release(host);
                }
            });
        } catch (RejectedExecutionException e) {
            release(host);
        }
    }

    private void release(String host) {
        synchronized (busyHosts) {
            busyHosts.computeIfPresent(host, (h, n) -> n <= 1 ? null : n - 1);
        }
    }

    private void attempt(Callback callback) {
        Optional<AccessKey> key = keys.signingKey(callback.userId, callback.accessKeyId);
        long start = System.currentTimeMillis();
        CallbackSender.Outcome outcome = key.isEmpty()
                ? CallbackSender.Outcome.failed("The tenant has no access key to sign the callback with.")
                : sender.send(callback, key.get(), callback.attempts + 1, start);
        long now = System.currentTimeMillis();
        Callback next;
        if (outcome.delivered()) {
            next = callback.next(CallbackState.Delivered, now);
            next.lastError = null;
            next.nextAttemptAt = 0;
        } else {
            long at = key.isEmpty() ? -1 : settings.schedule().nextAttempt(callback.createdAt, callback.attempts + 1, now);
            next = callback.next(at < 0 ? CallbackState.GaveUp : CallbackState.Pending, now);
            next.lastError = outcome.error();
            next.nextAttemptAt = Math.max(at, 0);
        }
        next.attempts = callback.attempts + 1;
        try {
            producer.send(new ProducerRecord<>(settings.callbacksTopic(), next.jobId, Json.bytes(next))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (!running) {
                return; // closing: the callback stays Pending in the topic, and the next start tries it again
            }
            LOG.warn("Could not record the outcome of the callback of job {}; it is tried again", callback.jobId, e);
            schedule(callback, settings.schedule().first().toMillis());
            return;
        }
        switch (next.state) {
            case Delivered -> {
                delivered.increment();
                LOG.info("Delivered the callback of job {} (event {}) at attempt {}", next.jobId, next.eventId, next.attempts);
            }
            case GaveUp -> {
                failedAttempts.increment();
                givenUp.increment();
                LOG.warn("Gave up the callback of job {} (event {}) after {} attempts: {}", next.jobId, next.eventId,
                        next.attempts, next.lastError);
            }
            default -> {
                failedAttempts.increment();
                LOG.info("The callback of job {} failed at attempt {}: {} Next attempt at {}", next.jobId, next.attempts,
                        next.lastError, Instant.ofEpochMilli(next.nextAttemptAt));
            }
        }
    }

    private static String host(String address) {
        HttpUrl url = HttpUrl.parse(address);
        return url == null ? address : url.host();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        reader.join(10_000);
        timer.shutdownNow();
        attempts.shutdownNow();
        attempts.awaitTermination(5, TimeUnit.SECONDS);
        producer.close(Duration.ofSeconds(5));
        sender.close();
    }
}
