package io.flinkasr.api.store;

import io.flinkasr.records.JobState;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many jobs are in each state, over all tenants and per tenant: kept in memory for metrics and
 * ListSmartJobs' TotalCount, and written to the store in the batch that changed them, so a restart loads
 * them instead of counting a million jobs.
 */
final class JobCounts {
    private static final int STATES = JobState.values().length;
    private final Map<Long, AtomicLongArray> byTenant = new ConcurrentHashMap<>();

    /** A change of one job: from (null = new) to (null = removed). */
    record Change(long userId, JobState from, JobState to) {}

    long count(JobState state) {
        long n = 0;
        for (AtomicLongArray counts : byTenant.values()) {
            n += counts.get(state.ordinal());
        }
        return n;
    }

    /** The tenant's jobs in the state; every state when null. */
    long count(long userId, JobState state) {
        AtomicLongArray counts = byTenant.get(userId);
        if (counts == null) {
            return 0;
        }
        if (state != null) {
            return counts.get(state.ordinal());
        }
        long n = 0;
        for (int i = 0; i < STATES; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The store's key of the tenant's counts. */
    static byte[] key(Change change) {
        return key(change.userId());
    }

    /** The tenant's counts after the change, as the store keeps them. */
    byte[] after(Change change) {
        long[] counts = new long[STATES];
        AtomicLongArray now = byTenant.get(change.userId());
        for (int i = 0; i < STATES && now != null; i++) {
            counts[i] = now.get(i);
        }
        if (change.from() != null) {
            counts[change.from().ordinal()]--;
        }
        if (change.to() != null) {
            counts[change.to().ordinal()]++;
        }
        return value(counts);
    }

    /** Takes a change once the store has written it. */
    void apply(Change change) {
        AtomicLongArray counts = byTenant.computeIfAbsent(change.userId(), id -> new AtomicLongArray(STATES));
        if (change.from() != null) {
            counts.decrementAndGet(change.from().ordinal());
        }
        if (change.to() != null) {
            counts.incrementAndGet(change.to().ordinal());
        }
    }

    /** Loads one row the store kept. */
    void load(byte[] key, byte[] value) {
        long userId = ByteBuffer.wrap(key, PREFIX.length, 8).getLong();
        ByteBuffer b = ByteBuffer.wrap(value);
        AtomicLongArray counts = new AtomicLongArray(STATES);
        for (int i = 0; i < STATES && b.remaining() >= 8; i++) {
            counts.set(i, b.getLong());
        }
        byTenant.put(userId, counts);
    }

    private static final byte[] PREFIX = StoreKeys.utf8("count/");

    static boolean isKey(byte[] key) {
        return StoreKeys.startsWith(key, PREFIX);
    }

    private static byte[] key(long userId) {
        return ByteBuffer.allocate(PREFIX.length + 8).put(PREFIX).putLong(userId).array();
    }

    private static byte[] value(long[] counts) {
        ByteBuffer b = ByteBuffer.allocate(8 * counts.length);
        for (long c : counts) {
            b.putLong(c);
        }
        return b.array();
    }
}
