package io.flinkasr.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The nonces one access key has used, each kept for a fixed time after its use and then forgotten,
 * oldest first. At most {@code capacity} are kept: past that the key's requests are refused until old
 * nonces expire, which touches no other key. Forgetting is amortised O(1): nonces expire in the order
 * they were used, so the oldest wait at the head of a queue.
 */
final class NonceBook {
    enum Use { NEW, USED, FULL }

    private record Entry(String nonce, long forgetAtMillis) {}

    private final int capacity;
    private final long keepMillis;
    private final Map<String, Long> forgetAt = new HashMap<>();
    private final ArrayDeque<Entry> byAge = new ArrayDeque<>();

    NonceBook(int capacity, Duration keep) {
        this.capacity = capacity;
        this.keepMillis = keep.toMillis();
    }

    synchronized Use use(String nonce, Instant now) {
        long nowMillis = now.toEpochMilli();
        forgetExpired(nowMillis);
        if (forgetAt.containsKey(nonce)) {
            return Use.USED;
        }
        if (forgetAt.size() >= capacity) {
            return Use.FULL;
        }
        long until = nowMillis + keepMillis;
        forgetAt.put(nonce, until);
        byAge.addLast(new Entry(nonce, until));
        return Use.NEW;
    }

    synchronized int size() {
        return forgetAt.size();
    }

    private void forgetExpired(long nowMillis) {
        while (!byAge.isEmpty() && byAge.peekFirst().forgetAtMillis() < nowMillis) {
            Entry old = byAge.pollFirst();
            forgetAt.remove(old.nonce(), old.forgetAtMillis());
        }
    }
}
