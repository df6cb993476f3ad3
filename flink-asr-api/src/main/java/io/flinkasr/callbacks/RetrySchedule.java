package io.flinkasr.callbacks;

import java.time.Duration;

/**
 * When a failed callback is tried again: {@code first} after the first failed attempt, twice as long after
 * each further one, never longer than {@code max}; given up once the next attempt would come later than
 * {@code giveUpAfter} from when the job's end was recorded. At the defaults (10 s, 1 h, 24 h): 10 s, 20 s,
 * 40 s, ... 42 min 40 s (about 1.4 h in all), then hourly, 32 attempts in all.
 */
record RetrySchedule(Duration first, Duration max, Duration giveUpAfter) {

    /** The wait after {@code failedAttempts} (at least 1) failed attempts. */
    Duration after(int failedAttempts) {
        long millis = first.toMillis();
        for (int i = 1; i < failedAttempts && millis < max.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }

    /**
     * The epoch milliseconds of the next attempt after {@code failedAttempts} failed ones, or -1 where the
     * callback is to be given up.
     */
    long nextAttempt(long createdAt, int failedAttempts, long now) {
        long next = now + after(failedAttempts).toMillis();
        return next - createdAt > giveUpAfter.toMillis() ? -1 : next;
    }
}
