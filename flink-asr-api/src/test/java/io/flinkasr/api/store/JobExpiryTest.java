package io.flinkasr.api.store;

import static io.flinkasr.api.store.StoredJobs.FIRST;
import static io.flinkasr.api.store.StoredJobs.TENANT_A;
import static io.flinkasr.api.store.StoredJobs.asset;
import static io.flinkasr.api.store.StoredJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.records.JobState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which jobs and assets a sweep removes at a fixed time, and that it tombstones each before removing it. */
class JobExpiryTest {
    private static final Duration RETENTION = Duration.ofDays(30);
    @TempDir Path dir;
    private JobStore store;
    private final List<String> tombstones = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        store = JobStore.open(dir, 8L << 20);
        // job-00..job-09 end one minute apart (a second after their creation); job-x never ends
        for (int i = 0; i < 10; i++) {
            store.putJob(job("job-0" + i, TENANT_A, i, i == 3 ? JobState.Failed : JobState.Finished), null);
        }
        store.putJob(job("job-x", TENANT_A, 0, JobState.Executing), null);
        store.putAsset(asset("old", TENANT_A, "https://media.example/old.mp3", FIRST), null);
        store.putAsset(asset("new", TENANT_A, "https://media.example/new.mp3", FIRST.plus(RETENTION)), null);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private JobExpiry at(Instant now) {
        return new JobExpiry(store, RETENTION, Clock.fixed(now, ZoneOffset.UTC), new JobExpiry.Tombstones() {
            @Override
            public void job(String jobId) {
                assertThat(store.job(jobId)).as("tombstoned before it is removed").isNotNull();
                tombstones.add(jobId);
            }

            @Override
            public void asset(String mediaId) {
                tombstones.add("media " + mediaId);
            }
        });
    }

    @Test
    void removesEndedJobsOlderThanTheRetentionOnly() throws Exception {
        // five minutes and a half after FIRST, plus the retention: job-00..job-05 ended before that
        Instant now = FIRST.plus(RETENTION).plusSeconds(5 * 60 + 30);
        assertThat(at(now).sweep()).isEqualTo(7);
        assertThat(tombstones).containsExactly("job-00", "job-01", "job-02", "job-03", "job-04", "job-05", "media old");
        assertThat(store.job("job-03")).as("Failed expires too").isNull();
        assertThat(store.job("job-06")).isNotNull();
        assertThat(store.job("job-x")).as("a job that has not ended never expires").isNotNull();
        assertThat(store.asset("new")).isNotNull();
        assertThat(store.count(TENANT_A, null)).isEqualTo(5);
        assertThat(store.assetIdOf(TENANT_A, "https://media.example/old.mp3")).isNull();
    }

    @Test
    void aSecondSweepAtTheSameTimeRemovesNothing() throws Exception {
        Instant now = FIRST.plus(RETENTION).plusSeconds(3600);
        assertThat(at(now).sweep()).isEqualTo(11);
        tombstones.clear();
        assertThat(at(now).sweep()).isZero();
        assertThat(tombstones).isEmpty();
        assertThat(store.job("job-x")).isNotNull();
    }

    @Test
    void beforeTheRetentionNothingExpires() throws Exception {
        assertThat(at(FIRST.plus(RETENTION)).sweep()).isZero();
        assertThat(store.count(TENANT_A, null)).isEqualTo(11);
    }

    @Test
    void sweepsOftenForAShortRetentionAndAtMostEveryMinuteForALongOne() {
        assertThat(new JobExpiry(store, Duration.ofSeconds(2), Clock.systemUTC(), null).interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(new JobExpiry(store, RETENTION, Clock.systemUTC(), null).interval()).isEqualTo(Duration.ofMinutes(1));
    }
}
