package io.flinkasr.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The nonces one access key has used, each kept only while a replay of its request could still pass the
 * timestamp check: until the request's own Timestamp plus the window. A replay carries the same signed
 * Timestamp, so past that it is refused as expired and its nonce need not be remembered.
 *
 * <p>A nonce is remembered as a 64-bit fingerprint (SHA-256 of a secret per-process seed and the nonce:
 * a client cannot aim two nonces at one fingerprint, and two random nonces share one with odds of about
 * n / 2^64), in an open-addressing table of primitive longs: about 14 bytes per nonce instead of the ~160
 * of a String in a hash map. The tables are kept by the 10 s in which their nonces expire, and a whole
 * table is dropped at once when its 10 s have passed.
 *
 * <p>Two bounds: the key's own {@code capacity} (past it the key is refused, alone) and one shared by all
 * keys ({@code remembered} against {@code serverCapacity}), so that many keys, each within its budget,
 * cannot together outgrow the heap.
 */
final class NonceBook {
    enum Use { NEW, USED, FULL, SERVER_FULL }

    static final long BUCKET_MILLIS = 10_000;
    private static final byte[] SEED = new SecureRandom().generateSeed(16);
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final int capacity;
    private final long windowMillis;
    private final AtomicLong remembered;
    private final long serverCapacity;
    /** Fingerprints by the 10 s bucket in which they are forgotten (the bucket's end, in millis / 10 s). */
    private final TreeMap<Long, Fingerprints> byForgetBucket = new TreeMap<>();
    private int size;

    /**
     * @param capacity most nonces this key may have remembered at once
     * @param window how far a request's timestamp may be from the server's clock
     * @param remembered the count of nonces all books remember together
     * @param serverCapacity the most all books may remember together
     */
    NonceBook(int capacity, Duration window, AtomicLong remembered, long serverCapacity) {
        this.capacity = capacity;
        this.windowMillis = window.toMillis();
        this.remembered = remembered;
        this.serverCapacity = serverCapacity;
    }

    /** A key's book on its own (tests): the server-wide bound is its own capacity. */
    NonceBook(int capacity, Duration window) {
        this(capacity, window, new AtomicLong(), capacity);
    }

    /**
     * Remembers a nonce of a request signed at {@code timestamp} (already checked to be within the window
     * of {@code now}), or says why not.
     */
    synchronized Use use(String nonce, Instant timestamp, Instant now) {
        forgetExpired(now.toEpochMilli());
        long fingerprint = fingerprint(nonce);
        for (Fingerprints bucket : byForgetBucket.values()) {
            if (bucket.contains(fingerprint)) {
                return Use.USED;
            }
        }
        if (size >= capacity) {
            return Use.FULL;
        }
        if (remembered.incrementAndGet() > serverCapacity) {
            remembered.decrementAndGet();
            return Use.SERVER_FULL;
        }
        long forgetAt = timestamp.toEpochMilli() + windowMillis;
        long bucket = Math.floorDiv(forgetAt + BUCKET_MILLIS - 1, BUCKET_MILLIS);
        byForgetBucket.computeIfAbsent(bucket, b -> new Fingerprints()).add(fingerprint);
        size++;
        return Use.NEW;
    }

    synchronized int size() {
        return size;
    }

    /** Bytes of the fingerprint tables (the arrays; each table's object adds a few dozen). */
    synchronized long tableBytes() {
        long bytes = 0;
        for (Fingerprints bucket : byForgetBucket.values()) {
            bytes += 8L * bucket.slots.length;
        }
        return bytes;
    }

    /** Forgets every nonce whose request's timestamp has left the window. */
    synchronized void forgetExpired(Instant now) {
        forgetExpired(now.toEpochMilli());
    }

    /** Forgets every nonce whose request's timestamp has left the window (its bucket's end has passed). */
    private void forgetExpired(long nowMillis) {
        Iterator<Map.Entry<Long, Fingerprints>> oldest = byForgetBucket.entrySet().iterator();
        while (oldest.hasNext()) {
            Map.Entry<Long, Fingerprints> bucket = oldest.next();
            if (bucket.getKey() * BUCKET_MILLIS >= nowMillis) {
                return;
            }
            size -= bucket.getValue().size;
            remembered.addAndGet(-bucket.getValue().size);
            oldest.remove();
        }
    }

    private static long fingerprint(String nonce) {
        MessageDigest sha = SHA256.get();
        sha.update(SEED);
        byte[] digest = sha.digest(nonce.getBytes(StandardCharsets.UTF_8));
        long fingerprint = 0;
        for (int i = 0; i < 8; i++) {
            fingerprint = (fingerprint << 8) | (digest[i] & 0xff);
        }
        return fingerprint == 0 ? 1 : fingerprint; // 0 marks an empty slot
    }

    /** A set of non-zero longs, open addressing with linear probing; it only grows (whole sets are dropped). */
    static final class Fingerprints {
        long[] slots = new long[16];
        int size;

        boolean contains(long fingerprint) {
            int mask = slots.length - 1;
            for (int i = (int) fingerprint & mask; ; i = (i + 1) & mask) {
                long slot = slots[i];
                if (slot == fingerprint) {
                    return true;
                }
                if (slot == 0) {
                    return false;
                }
            }
        }

        void add(long fingerprint) {
            if ((size + 1) * 4L > slots.length * 3L) {
                long[] old = slots;
                slots = new long[old.length * 2];
                size = 0;
                for (long f : old) {
                    if (f != 0) {
                        insert(f);
                    }
                }
            }
            insert(fingerprint);
        }

        private void insert(long fingerprint) {
            int mask = slots.length - 1;
            int i = (int) fingerprint & mask;
            while (slots[i] != 0) {
                if (slots[i] == fingerprint) {
                    return;
                }
                i = (i + 1) & mask;
            }
            slots[i] = fingerprint;
            size++;
        }
    }
}
