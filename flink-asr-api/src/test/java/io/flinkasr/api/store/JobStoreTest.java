package io.flinkasr.api.store;

import static io.flinkasr.api.store.StoredJobs.TENANT_A;
import static io.flinkasr.api.store.StoredJobs.TENANT_B;
import static io.flinkasr.api.store.StoredJobs.asset;
import static io.flinkasr.api.store.StoredJobs.at;
import static io.flinkasr.api.store.StoredJobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on its own (a real RocksDB in a temporary folder): indexes, pages, counts, offsets, removal. */
class JobStoreTest {
    private static final long CACHE = 8L << 20;
    @TempDir Path dir;
    private JobStore store;

    @BeforeEach
    void open() throws Exception {
        store = JobStore.open(dir, CACHE);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void reopen() throws Exception {
        store.close();
        store = JobStore.open(dir, CACHE);
    }

    /** 25 jobs of tenant A, job-00 first, one a minute, every fifth Failed; 3 of tenant B. */
    private void twentyFiveAndThree() throws Exception {
        for (int i = 0; i < 25; i++) {
            store.putJob(job(String.format("job-%02d", i), TENANT_A, i, i % 5 == 0 ? JobState.Failed : JobState.Finished), null);
        }
        for (int i = 0; i < 3; i++) {
            store.putJob(job("b-" + i, TENANT_B, 100 + i, JobState.Executing), null);
        }
    }

    /** The last change of a job that {@link StoredJobs#job} created at the minute. */
    private static long changeOf(int minute) {
        return StoredJobs.FIRST.plusSeconds(60L * minute + 1).toEpochMilli();
    }

    private static List<String> ids(List<byte[]> page) {
        return page.stream().map(StoredJobs::jobIdOf).toList();
    }

    @Test
    void pagesATenantsJobsNewestOrOldestFirstAndNeverAnotherTenants() throws Exception {
        twentyFiveAndThree();
        assertThat(ids(store.page(TENANT_A, null, true, 0, 3))).containsExactly("job-24", "job-23", "job-22");
        assertThat(ids(store.page(TENANT_A, null, false, 0, 3))).containsExactly("job-00", "job-01", "job-02");
        assertThat(ids(store.page(TENANT_A, null, true, 20, 10))).containsExactly("job-04", "job-03", "job-02", "job-01", "job-00");
        assertThat(store.page(TENANT_A, null, true, 25, 10)).isEmpty();
        assertThat(ids(store.page(TENANT_B, null, true, 0, 100))).containsExactly("b-2", "b-1", "b-0");
        assertThat(store.page(42L, null, true, 0, 100)).as("a tenant without jobs").isEmpty();
    }

    @Test
    void aPageCarriesNoTranscriptButTheJobDoes() throws Exception {
        JobStatus big = Json.read(job("big", TENANT_A, 0, JobState.Finished), JobStatus.class);
        big.segments = java.util.stream.IntStream.range(0, 500).mapToObj(i -> big.segments[0]).toArray(io.flinkasr.records.Segment[]::new);
        store.putJob(Json.bytes(big), null);
        JobStatus listed = Json.read(store.page(TENANT_A, null, true, 0, 1).get(0), JobStatus.class);
        assertThat(listed.segments).isNull();
        assertThat(listed.state).isEqualTo(JobState.Finished);
        assertThat(listed.request.inputFile).isEqualTo("/media/big.mp3");
        assertThat(Json.read(store.job("big"), JobStatus.class).segments).hasSize(500);
    }

    @Test
    void rowsGiveEachJobsStoredEntryInPageOrderAndASummaryWhereAnOlderVersionStoredNone() throws Exception {
        for (int i = 0; i < 12; i++) {
            byte[] json = job(String.format("job-%02d", i), TENANT_A, i, JobState.Finished);
            // every third job as an older version stored it: no list entry
            store.putJob(json, i % 3 == 0 ? null : ("entry-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), null, null);
        }
        store.putJob(job("b-0", TENANT_B, 5, JobState.Finished), "entry-b".getBytes(java.nio.charset.StandardCharsets.UTF_8), null, null);
        for (boolean newestFirst : new boolean[] {true, false}) {
            for (int skip = 0; skip < 12; skip++) {
                List<JobStore.Row> rows = store.rows(TENANT_A, null, newestFirst, skip, 5);
                List<String> expected = new java.util.ArrayList<>();
                for (int n = skip; n < Math.min(12, skip + 5); n++) {
                    int i = newestFirst ? 11 - n : n;
                    expected.add(i % 3 == 0 ? "summary of job-" + String.format("%02d", i) : "entry-" + i);
                }
                assertThat(rows.stream().map(r -> r.listEntry() != null ? new String(r.listEntry(), java.nio.charset.StandardCharsets.UTF_8)
                        : "summary of " + StoredJobs.jobIdOf(r.summary())).toList()).as("newest first %s, skip %d", newestFirst, skip)
                        .containsExactlyElementsOf(expected);
            }
        }
        assertThat(store.rows(TENANT_A, JobState.Finished, true, 0, 2)).extracting(r -> r.listEntry() == null ? null : new String(r.listEntry(),
                java.nio.charset.StandardCharsets.UTF_8)).containsExactly("entry-11", "entry-10");
    }

    @Test
    void aSmallStateIsKeptOnceAndReplacesALargerOneBeforeIt() throws Exception {
        JobStatus executing = Json.read(job("j", TENANT_A, 0, JobState.Executing), JobStatus.class);
        executing.segments = java.util.stream.IntStream.range(0, 200).mapToObj(i -> new io.flinkasr.records.Segment("partial " + i, i, i + 1, null))
                .toArray(io.flinkasr.records.Segment[]::new);
        store.putJob(Json.bytes(executing), null);
        assertThat(Json.read(store.job("j"), JobStatus.class).segments).hasSize(200);
        byte[] failed = job("j", TENANT_A, 0, JobState.Failed);
        store.putJob(failed, null);
        assertThat(store.job("j")).as("the small Failed state, not the larger Executing one").isEqualTo(failed);
        assertThat(store.newest(10)).containsExactly(failed);
        assertThat(store.scanSizes().get("jobs")).isZero();
        reopen();
        assertThat(store.job("j")).isEqualTo(failed);
    }

    @Test
    void aFarPageStartsFromTheNearestAnchorAndStaysRightAsJobsComeAndGo() throws Exception {
        int n = 2500; // more than two strides of anchors
        for (int i = 0; i < n; i++) {
            store.putJob(job(String.format("job-%04d", i), TENANT_A, i, JobState.Finished), null);
        }
        store.putJob(job("b-0", TENANT_B, 5, JobState.Finished), null);
        assertThat(ids(store.page(TENANT_A, null, true, 1234, 3))).containsExactly("job-1265", "job-1264", "job-1263");
        assertThat(ids(store.page(TENANT_A, null, false, 2100, 2))).containsExactly("job-2100", "job-2101");
        assertThat(ids(store.page(TENANT_A, null, true, 2498, 5))).containsExactly("job-0001", "job-0000");
        assertThat(store.page(TENANT_A, null, true, 2500, 5)).isEmpty();

        store.putJob(job("job-2500", TENANT_A, n, JobState.Executing), null); // the newest: no anchor moves
        assertThat(ids(store.page(TENANT_A, null, true, 1234, 2))).containsExactly("job-1266", "job-1265");
        assertThat(ids(store.page(TENANT_A, null, false, 2100, 1))).containsExactly("job-2100");
        store.putJob(job("job-2500", TENANT_A, n, JobState.Finished), null); // a new state: same key, same places
        assertThat(ids(store.page(TENANT_A, null, true, 1234, 1))).containsExactly("job-1266");

        store.putJob(job("older", TENANT_A, -1, JobState.Finished), null); // older than every job: every place moves
        assertThat(ids(store.page(TENANT_A, null, true, 2500, 5))).containsExactly("job-0000", "older");
        assertThat(ids(store.page(TENANT_A, null, false, 1001, 1))).containsExactly("job-1000");
        store.deleteJob("job-1000", null);
        assertThat(ids(store.page(TENANT_A, null, false, 1001, 1))).containsExactly("job-1001");
        assertThat(ids(store.page(TENANT_A, null, true, 1500, 1))).containsExactly("job-0999");
        assertThat(ids(store.page(TENANT_A, JobState.Finished, true, 1500, 1))).as("a state filter reads the long way")
                .containsExactly("job-0999");
        store.deleteJob("job-2000", null); // an anchor's own job
        assertThat(ids(store.page(TENANT_A, null, false, 2001, 2))).containsExactly("job-2002", "job-2003");
        assertThat(ids(store.page(TENANT_A, null, true, 1000, 1))).containsExactly("job-1499");
        for (int i = n + 1; i < n + 2600; i++) { // the tenant grows far past its anchors
            store.putJob(job(String.format("job-%04d", i), TENANT_A, i, JobState.Finished), null);
        }
        assertThat(ids(store.page(TENANT_A, null, true, 1000, 1))).containsExactly("job-4099");
        assertThat(ids(store.page(TENANT_A, null, false, 4000, 1))).containsExactly("job-4001");
        store.deleteJob("job-0500", null); // between anchors: the ones after it move down
        assertThat(ids(store.page(TENANT_A, null, false, 4000, 1))).containsExactly("job-4002");
        assertThat(ids(store.page(TENANT_A, null, true, 1000, 1))).containsExactly("job-4099");
        reopen();
        assertThat(ids(store.page(TENANT_A, null, true, 1500, 1))).containsExactly("job-3599");
    }

    @Test
    void farPagesAgreeWithTheTenantsJobsInOrderThroughRandomInsertsAndRemovals() throws Exception {
        java.util.Random random = new java.util.Random(16);
        java.util.TreeMap<Integer, String> model = new java.util.TreeMap<>(); // minute to JobId: the index's order
        for (int i = 0; i < 1200; i++) {
            int minute = 10 * i;
            model.put(minute, "j-" + minute);
            store.putJob(job("j-" + minute, TENANT_A, minute, JobState.Finished), null);
        }
        for (int round = 0; round < 300; round++) {
            int op = random.nextInt(3);
            if (op == 0) { // a job older than some: inserted among the others
                int minute = random.nextInt(12_000);
                if (model.putIfAbsent(minute, "j-" + minute) == null) {
                    store.putJob(job("j-" + minute, TENANT_A, minute, JobState.Finished), null);
                }
            } else if (op == 1 && !model.isEmpty()) { // removed, as expiry removes
                Integer minute = model.ceilingKey(random.nextInt(12_000));
                if (minute != null) {
                    store.deleteJob(model.remove(minute), null);
                }
            } else { // the newest
                int minute = model.isEmpty() ? 0 : model.lastKey() + 1;
                model.put(minute, "j-" + minute);
                store.putJob(job("j-" + minute, TENANT_A, minute, JobState.Finished), null);
            }
            List<String> oldestFirst = new java.util.ArrayList<>(model.values());
            for (int probe = 0; probe < 3; probe++) {
                boolean newestFirst = random.nextBoolean();
                int skip = random.nextInt(oldestFirst.size() + 2);
                List<String> expected = new java.util.ArrayList<>();
                for (int n = skip; n < Math.min(oldestFirst.size(), skip + 3); n++) {
                    expected.add(oldestFirst.get(newestFirst ? oldestFirst.size() - 1 - n : n));
                }
                assertThat(ids(store.page(TENANT_A, null, newestFirst, skip, 3)))
                        .as("round %d, %s, skip %d", round, newestFirst ? "newest first" : "oldest first", skip)
                        .containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void aStateFilterSkipsOnlyJobsInThatState() throws Exception {
        twentyFiveAndThree();
        assertThat(ids(store.page(TENANT_A, JobState.Failed, true, 0, 2))).containsExactly("job-20", "job-15");
        assertThat(ids(store.page(TENANT_A, JobState.Failed, true, 2, 10))).containsExactly("job-10", "job-05", "job-00");
        assertThat(ids(store.page(TENANT_A, JobState.Failed, false, 4, 10))).containsExactly("job-20");
        assertThat(store.page(TENANT_A, JobState.Created, true, 0, 10)).isEmpty();
    }

    @Test
    void countsFollowStatesPerTenantAndSurviveAReopen() throws Exception {
        twentyFiveAndThree();
        assertThat(store.count(TENANT_A, null)).isEqualTo(25);
        assertThat(store.count(TENANT_A, JobState.Failed)).isEqualTo(5);
        assertThat(store.count(JobState.Executing)).isEqualTo(3);
        store.putJob(job("b-0", TENANT_B, 100, JobState.Finished), null);
        assertThat(store.count(JobState.Executing)).isEqualTo(2);
        assertThat(store.count(JobState.Finished)).isEqualTo(21);
        reopen();
        assertThat(store.count(TENANT_A, JobState.Finished)).isEqualTo(20);
        assertThat(store.count(TENANT_B, null)).isEqualTo(3);
        assertThat(store.count(JobState.Executing)).isEqualTo(2);
        assertThat(store.oldestActiveChange()).as("b-1's last change").isEqualTo(changeOf(101));
        assertThat(store.scanSizes().get("active-since")).isEqualTo(2);
    }

    @Test
    void theOldestActiveChangeFollowsABacklogAsItDrainsAndAcrossAReopen() throws Exception {
        assertThat(store.oldestActiveChange()).as("no job").isEqualTo(-1);
        for (int i = 0; i < 2000; i++) {
            store.putJob(job(String.format("q-%04d", i), TENANT_A, i, JobState.Created), null);
        }
        assertThat(store.oldestActiveChange()).isEqualTo(changeOf(0));
        for (int i = 0; i < 1500; i++) {
            store.putJob(job(String.format("q-%04d", i), TENANT_A, i, i % 2 == 0 ? JobState.Finished : JobState.Failed), null);
        }
        assertThat(store.oldestActiveChange()).as("the first 1500 ended").isEqualTo(changeOf(1500));
        store.putJob(job("q-1700", TENANT_A, 1700, JobState.Executing), null);
        store.deleteJob("q-1500", null);
        assertThat(store.oldestActiveChange()).as("q-1500 removed").isEqualTo(changeOf(1501));
        reopen();
        assertThat(store.oldestActiveChange()).isEqualTo(changeOf(1501));
        store.putJob(job("late", TENANT_B, 3, JobState.Executing), null);
        assertThat(store.oldestActiveChange()).as("a job that changed earlier, stored later").isEqualTo(changeOf(3));
        assertThat(store.scanSizes().get("active-since")).isEqualTo(500);
        for (int i = 1501; i < 2000; i++) {
            store.putJob(job(String.format("q-%04d", i), TENANT_A, i, JobState.Finished), null);
        }
        store.putJob(job("late", TENANT_B, 3, JobState.Finished), null);
        assertThat(store.oldestActiveChange()).as("none active").isEqualTo(-1);
    }

    @Test
    void anOlderLayoutsActiveRowsAreMovedAtOpen() throws Exception {
        store.putJob(job("old-1", TENANT_A, 7, JobState.Executing), null);
        store.close();
        // the older layout kept JobId -> last change in "active" and nothing in "active-since"
        java.util.List<org.rocksdb.ColumnFamilyDescriptor> descriptors = new java.util.ArrayList<>();
        descriptors.add(new org.rocksdb.ColumnFamilyDescriptor(org.rocksdb.RocksDB.DEFAULT_COLUMN_FAMILY));
        JobStore.FAMILIES.forEach(f -> descriptors.add(new org.rocksdb.ColumnFamilyDescriptor(StoreKeys.utf8(f))));
        java.util.List<org.rocksdb.ColumnFamilyHandle> handles = new java.util.ArrayList<>();
        try (org.rocksdb.DBOptions options = new org.rocksdb.DBOptions();
                org.rocksdb.RocksDB raw = org.rocksdb.RocksDB.open(options, dir.toString(), descriptors, handles)) {
            org.rocksdb.ColumnFamilyHandle active = handles.get(1 + JobStore.FAMILIES.indexOf("active"));
            org.rocksdb.ColumnFamilyHandle since = handles.get(1 + JobStore.FAMILIES.indexOf("active-since"));
            raw.delete(since, StoreKeys.timed(changeOf(7), "old-1"));
            raw.put(active, StoreKeys.utf8("old-1"), StoreKeys.longBytes(changeOf(7)));
            handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
        }
        store = JobStore.open(dir, CACHE);
        assertThat(store.oldestActiveChange()).isEqualTo(changeOf(7));
        assertThat(store.scanSizes()).containsEntry("active", 0L).containsEntry("active-since", 1L);
        store.putJob(job("old-1", TENANT_A, 7, JobState.Finished), null);
        assertThat(store.oldestActiveChange()).as("its end removes the moved row").isEqualTo(-1);
    }

    @Test
    void statesOnlyMoveForwardAndAnExecutingJobTakesProgress() throws Exception {
        assertThat(store.putJob(job("j", TENANT_A, 0, JobState.Executing), null)).isTrue();
        assertThat(store.putJob(job("j", TENANT_A, 0, JobState.Created), null)).as("back to Created").isFalse();
        assertThat(store.putJob(job("j", TENANT_A, 0, JobState.Executing), null)).as("progress").isTrue();
        assertThat(store.putJob(job("j", TENANT_A, 0, JobState.Finished), null)).isTrue();
        assertThat(store.putJob(job("j", TENANT_A, 0, JobState.Failed), null)).as("after an end").isFalse();
        JobStatus stored = Json.read(store.job("j"), JobStatus.class);
        assertThat(stored.state).isEqualTo(JobState.Finished);
        assertThat(stored.segments[0].content).startsWith("ask not");
        assertThat(store.count(TENANT_A, null)).isEqualTo(1);
        assertThat(store.count(JobState.Finished)).isEqualTo(1);
        assertThat(store.count(JobState.Executing)).isZero();
    }

    @Test
    void offsetsAreKeptWithWhatTheirRecordsWroteAndSurviveAReopen() throws Exception {
        assertThat(store.offset("requests", 0)).isEqualTo(-1);
        store.putJob(job("j", TENANT_A, 0, JobState.Created), at("requests", 1));
        store.putJob(job("j", TENANT_A, 0, JobState.Created), at("requests", 2));
        store.advance(at("states", 7));
        reopen();
        assertThat(store.offset("requests", 0)).isEqualTo(2);
        assertThat(store.offset("states", 0)).isEqualTo(7);
        assertThat(store.offset("requests", 1)).isEqualTo(-1);
        assertThat(store.head("j").state()).isEqualTo(JobState.Created);
    }

    @Test
    void aRemovedJobLeavesNoIndexEntryNoCountAndNoCallback() throws Exception {
        twentyFiveAndThree();
        store.putCallback("job-24", "{\"jobId\":\"job-24\"}".getBytes(), null);
        store.deleteJob("job-24", at("requests", 9));
        store.deleteJob("b-0", null);
        store.deleteJob("never-existed", null);
        assertThat(store.job("job-24")).isNull();
        assertThat(store.head("job-24")).isNull();
        assertThat(store.callback("job-24")).isNull();
        assertThat(ids(store.page(TENANT_A, null, true, 0, 1))).containsExactly("job-23");
        assertThat(store.count(TENANT_A, null)).isEqualTo(24);
        assertThat(store.count(JobState.Executing)).isEqualTo(2);
        assertThat(store.oldestActiveChange()).as("b-0 gone: b-1's").isEqualTo(changeOf(101));
        assertThat(store.endedBefore(Long.MAX_VALUE, 100)).hasSize(24).doesNotContain("job-24");
        assertThat(store.offset("requests", 0)).isEqualTo(9);
        var sizes = store.scanSizes();
        assertThat(sizes.get("jobs")).as("small states are kept once, as their own summaries").isZero();
        assertThat(sizes.get("summaries")).isEqualTo(26);
        assertThat(sizes.get("by-tenant")).isEqualTo(26);
        assertThat(sizes.get("by-creation")).isEqualTo(26);
        assertThat(sizes.get("ended") + sizes.get("active-since")).isEqualTo(26);
    }

    @Test
    void endedBeforeIsARangeOfEndTimes() throws Exception {
        twentyFiveAndThree();
        long endOfJob2 = StoredJobs.FIRST.plusSeconds(120 + 1).toEpochMilli();
        assertThat(store.endedBefore(endOfJob2, 100)).containsExactly("job-00", "job-01");
        assertThat(store.endedBefore(endOfJob2 + 1, 100)).containsExactly("job-00", "job-01", "job-02");
        assertThat(store.endedBefore(Long.MAX_VALUE, 100)).as("Executing jobs never").hasSize(25);
    }

    @Test
    void assetsAreFoundByMediaIdAndByTheirTenantsUrl() throws Exception {
        store.putAsset(asset("m1", TENANT_A, "https://media.example/a.mp3", StoredJobs.FIRST), at("assets", 1));
        store.putAsset(asset("m2", TENANT_B, "https://media.example/a.mp3", StoredJobs.FIRST), null);
        assertThat(store.assetIdOf(TENANT_A, "https://media.example/a.mp3")).isEqualTo("m1");
        assertThat(store.assetIdOf(TENANT_B, "https://media.example/a.mp3")).isEqualTo("m2");
        assertThat(store.assetIdOf(TENANT_A, "https://media.example/b.mp3")).isNull();
        store.putAsset(asset("m1", TENANT_A, "https://media.example/b.mp3", StoredJobs.FIRST.plusSeconds(5)), null);
        assertThat(store.assetIdOf(TENANT_A, "https://media.example/a.mp3")).as("moved to another URL").isNull();
        assertThat(store.assetIdOf(TENANT_A, "https://media.example/b.mp3")).isEqualTo("m1");
        assertThat(store.assetsChangedBefore(Long.MAX_VALUE, 10)).containsExactly("m2", "m1");
        store.deleteAsset("m1", null);
        assertThat(store.asset("m1")).isNull();
        assertThat(store.assetIdOf(TENANT_A, "https://media.example/b.mp3")).isNull();
        assertThat(store.assetsChangedBefore(Long.MAX_VALUE, 10)).containsExactly("m2");
    }
}
