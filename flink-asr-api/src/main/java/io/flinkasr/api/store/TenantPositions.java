package io.flinkasr.api.store;

import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every {@value #STRIDE}th key of a tenant's index of jobs, by its position counted from the tenant's oldest
 * job: a page far from the newest (or oldest) end seeks to the nearest such key and steps over at most
 * {@value #STRIDE} keys, instead of over every key before the page (at a million jobs a tenant's mean page
 * skipped 5,000). Made the first time a tenant's far page is asked for, then kept in step by the store's
 * writes: a tenant's new job is nearly always its newest, which moves no position and adds one to the total; a
 * state that changes keeps its key; anything else (an older job inserted, a job removed) forgets the tenant's
 * anchors until its next far page.
 */
final class TenantPositions {
    static final int STRIDE = 1000;

    /** The keys at every {@link #STRIDE}th position from the oldest, and how many keys the tenant has. */
    record Anchors(NavigableMap<Long, byte[]> keys, long total) {}

    private final Map<Long, Anchors> byTenant = new ConcurrentHashMap<>();

    /** The tenant's anchors, or null when none are known. */
    Anchors of(long userId) {
        return byTenant.get(userId);
    }

    void put(long userId, Anchors anchors) {
        byTenant.put(userId, anchors);
    }

    /** A key added to the tenant's index (called under the store's write lock, after the write). */
    void added(long userId, byte[] key) {
        Anchors anchors = byTenant.get(userId);
        if (anchors == null) {
            return;
        }
        Map.Entry<Long, byte[]> last = anchors.keys().lastEntry();
        if (last == null || Arrays.compareUnsigned(key, last.getValue()) > 0) {
            byTenant.put(userId, new Anchors(anchors.keys(), anchors.total() + 1)); // newer than every anchor: none moves
        } else {
            byTenant.remove(userId);
        }
    }

    /** A key removed from the tenant's index, or replaced by another. */
    void forget(long userId) {
        byTenant.remove(userId);
    }
}
