package io.flinkasr.api;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How many requests the API works on at once. Every connection has a thread of its own, so without a limit
 * 64 busy connections are 64 threads sharing the cores: each request, a long transcript's above all, takes
 * as long as all of them together, and the slowest answers wait tens of times their own work. With a few
 * slots taken in arrival order a request waits for those ahead of it and then runs alone on its core, so
 * answers come back in about the same time at the same rate (at 300,000 jobs on 2 cores: ListSmartJobs p99
 * 70 ms to 30 ms). Reading a body and writing an answer, which wait on the client, happen outside a slot,
 * and so does the read barrier's wait ({@link #stepOut}): a slow client or a JobId being looked for
 * elsewhere never holds one; nor does a submit waiting for the broker's acknowledgement (so reads, which
 * the store answers, go on while the broker is slow or gone).
 */
final class RequestSlots {
    private static final ThreadLocal<RequestSlots> HELD = new ThreadLocal<>();

    private final Semaphore slots;
    private final Duration longestWait;

    RequestSlots(int slots, Duration longestWait) {
        if (slots < 1) {
            throw new IllegalArgumentException("at least one request slot, not " + slots);
        }
        this.slots = new Semaphore(slots, true);
        this.longestWait = longestWait;
    }

    /** Twice the cores: a request that waits for the store's disk leaves its core to another. */
    static int byDefault() {
        return 2 * Runtime.getRuntime().availableProcessors();
    }

    /** Takes a slot for this thread, waiting in line; ServiceUnavailable when none comes in time. */
    void enter() throws InterruptedException {
        if (!slots.tryAcquire(longestWait.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IceException(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
        }
        HELD.set(this);
    }

    /** Gives this thread's slot back. */
    void leave() {
        if (HELD.get() == this) {
            HELD.remove();
            slots.release();
        }
    }

    /** Requests waiting for a slot now. */
    int waiting() {
        return slots.getQueueLength();
    }

    /**
     * Gives up the slot this thread holds, if any, for a wait that is not work (the read barrier, the
     * broker's acknowledgement of a write); {@link
     * Away#close} takes one again, in line.
     */
    static Away stepOut() {
        RequestSlots held = HELD.get();
        if (held == null) {
            return () -> {};
        }
        held.leave();
        return () -> {
            held.slots.acquireUninterruptibly();
            HELD.set(held);
        };
    }

    /** A slot given up for a while. */
    interface Away extends AutoCloseable {
        @Override
        void close();
    }
}
