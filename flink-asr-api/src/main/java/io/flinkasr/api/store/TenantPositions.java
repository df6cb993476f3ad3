package io.flinkasr.api.store;

import java.util.Arrays;
import java.util.Map;
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
    /**
     * Keys between anchors. A far page steps over half of it on average, one call into RocksDB per key (at a
     * million jobs, 1,000 made stepping 14 % of the API's CPU under ListSmartJobs); an anchor costs about 100
     * bytes of heap (10,000 for a million jobs) and moving anchors is a pass over an array of positions.
     */
    static final int STRIDE = 100;

    /**
     * The keys at every {@link #STRIDE}th position from the oldest (positions ascending, keys in the index's
     * order), and how many keys the tenant has. Never changed once made: a write makes new arrays.
     */
    record Anchors(long[] positions, byte[][] keys, long total) {
        /** The anchors of a walk of the tenant's index: its keys at positions 0, STRIDE, 2 STRIDE, ... */
        static Anchors walked(java.util.List<byte[]> everyStrideth, long total) {
            long[] positions = new long[everyStrideth.size()];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = (long) i * STRIDE;
            }
            return new Anchors(positions, everyStrideth.toArray(new byte[0][]), total);
        }

        /** The position, counted from the oldest, of the first row of a page after skipping {@code skip} rows. */
        long target(long skip, boolean newestFirst) {
            return newestFirst ? total - 1 - skip : skip;
        }

        /** The anchor to start that page from (at or after its first row in the page's direction), or null. */
        Map.Entry<Long, byte[]> nearest(long skip, boolean newestFirst) {
            long target = target(skip, newestFirst);
            int at = Arrays.binarySearch(positions, target);
            int i = at >= 0 ? at : newestFirst ? -at - 1 : -at - 2; // ceiling when newest first, else floor
            return i < 0 || i >= positions.length ? null : Map.entry(positions[i], keys[i]);
        }

        /** The anchors after a key was added ({@code by} +1) or removed (-1). */
        Anchors shifted(byte[] key, int by) {
            int found = Arrays.binarySearch(keys, key, Arrays::compareUnsigned);
            int first = found >= 0 ? found : -found - 1; // the first anchor at or after the key
            if (first == keys.length) { // after every anchor: the usual new job, the tenant's newest
                return new Anchors(positions, keys, total + by);
            }
            boolean onAnchor = Arrays.equals(keys[first], key);
            int removed = onAnchor && by < 0 ? 1 : 0; // an anchor on a removed key goes
            long[] p = new long[positions.length - removed];
            byte[][] k = new byte[keys.length - removed][];
            System.arraycopy(positions, 0, p, 0, first);
            System.arraycopy(keys, 0, k, 0, first);
            for (int from = first + removed, to = first; from < positions.length; from++, to++) {
                p[to] = positions[from] + by;
                k[to] = keys[from];
            }
            return new Anchors(p, k, total + by);
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
        if (anchors != null) {
            byTenant.put(userId, anchors.shifted(key, by));
        }
    }

    /** Forgets the tenant's anchors (its index is walked again at its next far page). */
    void forget(long userId) {
        byTenant.remove(userId);
    }
}
