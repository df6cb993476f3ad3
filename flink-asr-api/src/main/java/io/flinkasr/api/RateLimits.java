package io.flinkasr.api;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per access key: a steady rate with a burst above it; past that, Throttling. Buckets
 * exist only for keys whose requests were verified (see {@link AccessControl}), so the table is bounded
 * by the access-key file, and one key's requests never spend another's tokens.
 */
public final class RateLimits {
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final double perSecond;
    private final int burst;
    /** The buckets' time; null: bucket4j's own (the system clock). */
    private final TimeMeter time;

    public RateLimits(double perSecond, int burst) {
        this(perSecond, burst, null);
    }

    /** With {@code clock} as the buckets' time: a fixed clock (tests) never refills a bucket. */
    RateLimits(double perSecond, int burst, Clock clock) {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("the rate limit must be positive and the burst at least 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.time = clock == null ? null : new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    double perSecond() {
        return perSecond;
    }

    int burst() {
        return burst;
    }

    void acquire(AccessKey key) {
        Bucket bucket = buckets.computeIfAbsent(key.accessKeyId, id -> {
            LocalBucketBuilder builder = Bucket.builder()
                    .addLimit(Bandwidth.builder()
                            .capacity(burst)
                            .refillGreedy(Math.max(1, Math.round(perSecond * 10)), Duration.ofSeconds(10))
                            .build());
            return (time == null ? builder : builder.withCustomTimePrecision(time)).build();
        });
        if (!bucket.tryConsume(1)) {
            throw new IceException(429, "Throttling", "Request was denied due to request throttling.");
        }
    }
}
