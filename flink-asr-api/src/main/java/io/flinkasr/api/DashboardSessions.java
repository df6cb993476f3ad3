package io.flinkasr.api;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's signed-in browsers: a random token (the value of an HttpOnly cookie) names the access
 * key it signed in with, until it expires or signs out. Kept in memory only, so a restart of the API signs
 * everyone out. Sign-in attempts are limited per client address, so that guessing secrets is slow.
 */
final class DashboardSessions {
    /** Most sessions held at once; past it, expired ones are dropped, and if none is, sign-in waits. */
    static final int MAX_SESSIONS = 10_000;
    /** Sign-in attempts per client address: a burst, then one every few seconds. */
    static final int SIGN_IN_BURST = 10;
    static final Duration SIGN_IN_REFILL = Duration.ofSeconds(6);
    private static final int MAX_ADDRESSES = 10_000;

    private record Session(AccessKey key, Instant expires) {}

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Bucket> attempts = new ConcurrentHashMap<>();
    private final Duration lifetime;

    DashboardSessions(Duration lifetime) {
        this.lifetime = lifetime;
    }

    Duration lifetime() {
        return lifetime;
    }

    /** Counts a sign-in attempt from the address; Throttling past the address's budget. */
    void attempt(String address) {
        if (attempts.size() > MAX_ADDRESSES) {
            attempts.clear(); // bounded: a flood from many addresses resets everyone's count, never grows memory
        }
        Bucket bucket = attempts.computeIfAbsent(address, a -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(SIGN_IN_BURST).refillGreedy(1, SIGN_IN_REFILL).build())
                .build());
        if (!bucket.tryConsume(1)) {
            throw new IceException(429, "Throttling", "Too many sign-in attempts from this address; wait a minute.");
        }
    }

    /** A new session for the key: its token. */
    String open(AccessKey key, Instant now) {
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().removeIf(s -> s.expires().isBefore(now));
            if (sessions.size() >= MAX_SESSIONS) {
                throw new IceException(503, "ServiceUnavailable", "Too many dashboard sessions; try again later.");
            }
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        sessions.put(token, new Session(key, now.plus(lifetime)));
        return token;
    }

    /** The key a live session speaks for, or null. */
    AccessKey find(String token, Instant now) {
        if (token == null) {
            return null;
        }
        Session session = sessions.get(token);
        if (session == null) {
            return null;
        }
        if (session.expires().isBefore(now)) {
            sessions.remove(token);
            return null;
        }
        return session.key();
    }

    void close(String token) {
        if (token != null) {
            sessions.remove(token);
        }
    }

    int size() {
        return sessions.size();
    }
}
