package io.flinkasr.api;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Read-your-writes across API replicas: before answering that a JobId or MediaId does not exist, a replica
 * asks the broker where the topics end now and waits, bounded, until its reader has read that far, so a
 * job another replica accepted a moment ago is found. The reader reports its positions here.
 */
final class ReadBarrier {
    private final KafkaConsumer<?, ?> ends;
    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final Duration bound;

    /**
     * @param ends a consumer used only to ask for end offsets (with the reader's isolation level)
     */
    ReadBarrier(KafkaConsumer<?, ?> ends, Collection<TopicPartition> partitions, Duration bound) {
        this.ends = ends;
        this.partitions = List.copyOf(partitions);
        this.bound = bound;
    }

    /** The reader has read the partition up to (not including) this offset. */
    void reached(TopicPartition partition, long position) {
        positions.merge(partition, position, Math::max);
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * Waits until the reader has read every partition up to where it ends now: true then; false when the
     * bound passed first or the broker could not be asked.
     */
    boolean await() throws InterruptedException {
        try (RequestSlots.Away away = RequestSlots.stepOut()) { // waiting for the broker and the reader is no work
            return awaitEnds();
        }
    }

    private boolean awaitEnds() throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        Map<TopicPartition, Long> now;
        try {
            synchronized (ends) {
                now = ends.endOffsets(partitions, bound);
            }
        } catch (KafkaException e) {
            return false;
        }
        synchronized (this) {
            while (!reached(now)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    private boolean reached(Map<TopicPartition, Long> now) {
        return now.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    void close() {
        synchronized (ends) {
            ends.close();
        }
    }
}
