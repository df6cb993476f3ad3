package io.flinkasr.api.store;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every {@value #STRIDE}th key of a tenant's index of jobs, by its position counted from the tenant's oldest
 * job: a page far from the newest (or oldest) end seeks to the nearest such key and steps over at most
 * {@value #STRIDE} keys, instead of over every key before the page (at a million jobs a tenant's mean page
 * skipped 5,000). Made the first time a tenant's far page is asked for, then kept in step by the store's
 * writes: a tenant's new job is nearly always its newest, which moves no position and adds one to the total; a
 * state that changes keeps its key; a job inserted before (removed from before) an anchor moves it one place
 * up (down), and an anchor on a removed job goes (the page then starts from the next one: a longer step, still
 * the right place).
 */
final class TenantPositions {
    static final int STRIDE = 1000;

    /** The keys at every {@link #STRIDE}th position from the oldest, and how many keys the tenant has. */
    record Anchors(NavigableMap<Long, byte[]> keys, long total) {
        /** The position, counted from the oldest, of the first row of a page after skipping {@code skip} rows. */
        long target(long skip, boolean newestFirst) {
            return newestFirst ? total - 1 - skip : skip;
        }

        /** The anchor to start that page from (at or after its first row in the page's direction), or null. */
        Map.Entry<Long, byte[]> nearest(long skip, boolean newestFirst) {
            long target = target(skip, newestFirst);
            return newestFirst ? keys.ceilingEntry(target) : keys.floorEntry(target);
        }
    }

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
        shift(userId, key, +1);
    }

    /** A key removed from the tenant's index (called under the store's write lock, after the write). */
    void removed(long userId, byte[] key) {
        shift(userId, key, -1);
    }

    /**
     * Keys after the added (removed) one move one place up (down); an anchor on a removed key goes, the rest
     * still hold. A tenant's new job is nearly always its newest: then no anchor moves.
     */
    private void shift(long userId, byte[] key, int by) {
        Anchors anchors = byTenant.get(userId);
        if (anchors == null) {
            return;
        }
        Map.Entry<Long, byte[]> last = anchors.keys().lastEntry();
        if (last != null && Arrays.compareUnsigned(key, last.getValue()) > 0) {
            byTenant.put(userId, new Anchors(anchors.keys(), anchors.total() + by));
            return;
        }
        NavigableMap<Long, byte[]> moved = new TreeMap<>();
        for (Map.Entry<Long, byte[]> anchor : anchors.keys().entrySet()) {
            int order = Arrays.compareUnsigned(anchor.getValue(), key);
            if (order == 0 && by < 0) {
                continue;
            }
            moved.put(order > 0 || (order == 0 && by > 0) ? anchor.getKey() + by : anchor.getKey(), anchor.getValue());
        }
        byTenant.put(userId, new Anchors(Collections.unmodifiableNavigableMap(moved), anchors.total() + by));
    }

    /** Forgets the tenant's anchors (its index is walked again at its next far page). */
    void forget(long userId) {
        byTenant.remove(userId);
    }
}
