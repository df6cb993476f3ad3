package io.flinkasr.callbacks;

import io.flinkasr.records.Callback;
import io.flinkasr.records.CallbackState;
import io.flinkasr.records.CompletionEvent;
import io.flinkasr.records.Json;
import io.flinkasr.records.JobStatus;
import io.flinkasr.workflow.JobTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the states topic (committed transactions only) in its own consumer group and, for every job that
 * ends, writes its {@link CompletionEvent} to the events topic and, where UserData names a NotifyAddress, a
 * Pending {@link Callback} to the callbacks topic; both in one Kafka transaction together with the consumer
 * group's offsets. So each job's end is recorded exactly once, whatever process dies when: a transaction
 * that did not commit is read again from the last committed offsets. A new group starts at the beginning of
 * the states topic.
 */
final class CompletionRecorder implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionRecorder.class);

    private final CallbackSettings settings;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private volatile boolean running = true;
    private boolean rewindFirst;

    CompletionRecorder(CallbackSettings settings) {
        this.settings = settings;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
        JobTopics.limitFetches(c);
        // a process that was killed leaves the group after this long, and a restarted one takes over
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.groupId() + "-recorder");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions(); // fences an earlier instance with the same id, aborting its open transaction
        consumer.subscribe(List.of(settings.statesTopic()));
    }

    @Override
    public void run() {
        try {
            while (running) {
                if (rewindFirst) {
                    rewindFirst = !rewind();
                    if (rewindFirst) {
                        pause(Duration.ofSeconds(1));
                        continue;
                    }
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    record(records);
                } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
                    LOG.error("Completion events stopped: another process records them with the same group ({})",
                            settings.groupId(), e);
                    return;
                } catch (KafkaException e) {
                    LOG.warn("Recording completion events failed; reading the states again from the last commit", e);
                    abort();
                    rewindFirst = true;
                    pause(Duration.ofSeconds(1));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Completion events stopped", e);
        } finally {
            consumer.close();
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** One transaction: the events and callbacks of the polled states, and the offsets past them. */
    private void record(ConsumerRecords<String, byte[]> records) {
        producer.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        long now = System.currentTimeMillis();
        for (ConsumerRecord<String, byte[]> record : records) {
            offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
            JobStatus status = read(record);
            CompletionEvent event = CompletionEvent.of(status);
            if (event == null) {
                continue;
            }
            byte[] body = Json.bytes(event);
            producer.send(new ProducerRecord<>(settings.eventsTopic(), event.jobId, body));
            Optional<String> address = address(status);
            if (address.isPresent()) {
                Callback callback = new Callback();
                callback.jobId = event.jobId;
                callback.eventId = event.eventId;
                callback.userId = status.request.userId;
                callback.accessKeyId = status.request.accessKeyId;
                callback.address = address.get();
                callback.event = new String(body, StandardCharsets.UTF_8);
                callback.state = CallbackState.Pending;
                callback.createdAt = now;
                callback.nextAttemptAt = now;
                callback.updatedAt = now;
                producer.send(new ProducerRecord<>(settings.callbacksTopic(), event.jobId, Json.bytes(callback)));
            }
        }
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
    }

    private static JobStatus read(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return Json.read(record.value(), JobStatus.class);
        } catch (RuntimeException e) {
            LOG.warn("Skipping an unreadable state at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return null;
        }
    }

    private static Optional<String> address(JobStatus status) {
        try {
            return NotifyAddress.in(status.request.userData);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // refused at submit; a job written otherwise gets no callback
        }
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.debug("Aborting the transaction failed", e);
        }
    }

    /**
     * Back to the group's committed offsets (the start where none), so nothing uncommitted is skipped; false
     * where Kafka could not tell them (the consumer must not poll before this has succeeded).
     */
    private boolean rewind() {
        try {
            Set<TopicPartition> assigned = consumer.assignment();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, Duration.ofSeconds(10));
            for (TopicPartition partition : assigned) {
                OffsetAndMetadata offset = committed.get(partition);
                if (offset == null) {
                    consumer.seekToBeginning(List.of(partition));
                } else {
                    consumer.seek(partition, offset.offset());
                }
            }
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("Could not read the committed offsets of {}", settings.groupId(), e);
            return false;
        }
    }

    private void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
