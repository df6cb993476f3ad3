package io.flinkasr.api.store;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Results that expire: ended jobs (Finished, Failed) and media assets whose last change is older than the
 * retention are removed everywhere. Tombstones go to the compacted topics first (so every replica, and a
 * replica built later, drops them too), then the store removes them at once. Each sweep reads a range of
 * the end-time index, never the whole store; every replica may sweep, the tombstones are idempotent.
 */
public final class JobExpiry {
    /** Where tombstones are written: each call returns once the broker has them. */
    public interface Tombstones {
        void job(String jobId) throws IOException;

        void asset(String mediaId) throws IOException;
    }

    private static final int BATCH = 1000;
    private final JobStore store;
    private final Duration retention;
    private final Clock clock;
    private final Tombstones tombstones;

    public JobExpiry(JobStore store, Duration retention, Clock clock, Tombstones tombstones) {
        this.store = store;
        this.retention = retention;
        this.clock = clock;
        this.tombstones = tombstones;
    }

    /** How often to sweep: a quarter of the retention, between half a second and a minute. */
    public Duration interval() {
        long quarter = retention.toMillis() / 4;
        return Duration.ofMillis(Math.max(500, Math.min(60_000, quarter)));
    }

    /** Removes what expired by now: how many jobs and assets. */
    public int sweep() throws IOException {
        long before = clock.millis() - retention.toMillis();
        int removed = 0;
        List<String> last = List.of();
        for (List<String> jobs = store.endedBefore(before, BATCH); !jobs.isEmpty() && !jobs.equals(last);
                last = jobs, jobs = store.endedBefore(before, BATCH)) {
            for (String jobId : jobs) {
                tombstones.job(jobId);
                store.deleteJob(jobId, null);
                removed++;
            }
        }
        last = List.of();
        for (List<String> assets = store.assetsChangedBefore(before, BATCH); !assets.isEmpty() && !assets.equals(last);
                last = assets, assets = store.assetsChangedBefore(before, BATCH)) {
            for (String mediaId : assets) {
                tombstones.asset(mediaId);
                store.deleteAsset(mediaId, null);
                removed++;
            }
        }
        return removed;
    }
}
