package io.flinkasr.callbacks;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.config.AsrOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    private static final RetrySchedule DEFAULTS = new RetrySchedule(AsrOptions.CALLBACKS_FIRST_RETRY.defaultValue(),
            AsrOptions.CALLBACKS_MAX_RETRY_INTERVAL.defaultValue(), AsrOptions.CALLBACKS_GIVE_UP_AFTER.defaultValue());
    private static final long JOB_ENDED = 1_000_000L;

    @Test
    void waitsDoubleFromTheFirstRetryUpToTheLongestInterval() {
        List<Long> seconds = new ArrayList<>();
        for (int failed = 1; failed <= 12; failed++) {
            seconds.add(DEFAULTS.after(failed).toSeconds());
        }
        assertThat(seconds).containsExactly(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1280L, 2560L, 3600L, 3600L, 3600L);
        assertThat(DEFAULTS.after(10_000)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void givesUpWhenTheNextAttemptWouldComeLaterThanADayAfterTheJobEnded() {
        // attempts that fail at once, each made when it is due, as the README's schedule says
        long now = JOB_ENDED;
        int attempts = 1;
        long next;
        while ((next = DEFAULTS.nextAttempt(JOB_ENDED, attempts, now)) >= 0) {
            assertThat(next).isGreaterThan(now);
            now = next;
            attempts++;
        }
        assertThat(attempts).isEqualTo(32);
        assertThat(now - JOB_ENDED).as("the last attempt").isLessThanOrEqualTo(Duration.ofHours(24).toMillis());
        assertThat(now - JOB_ENDED).isGreaterThan(Duration.ofHours(23).toMillis());
    }
}
