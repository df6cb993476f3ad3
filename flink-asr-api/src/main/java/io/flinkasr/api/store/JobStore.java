package io.flinkasr.api.store;

import io.flinkasr.records.JobState;
import io.flinkasr.records.Json;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.MediaAsset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.MutableColumnFamilyOptions;
import org.rocksdb.MutableDBOptions;
import org.rocksdb.IndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The API's jobs, callbacks and media assets on disk (RocksDB), with the indexes its requests need and the
 * offsets of the topics it has read them to. Every change is one atomic batch together with the offset of
 * the record that caused it, so after a restart, even after {@code kill -9}, the store and its offsets
 * agree and reading resumes where it stopped. Transcripts stay on disk: the heap holds a job only while
 * a request is answered.
 *
 * <p>Column families: {@code jobs} (JobId to the JobStatus JSON of a state larger than its summary, large values in
 * blob files), {@code summaries} (the state without segments and chunks: what a list shows; a small state is its own
 * summary, kept there only), {@code results} (a Finished job's result as
 * its answer shows it, rendered once by the caller, large values in blob files), {@code heads}
 * (JobId to {@link JobHead}), {@code by-tenant} (userId, createTime, JobId to the state: ListSmartJobs),
 * {@code list-entries} (the same keys to the job's rendered list entry: a page's rows lie side by side; the
 * index itself stays small, so skipping to a far page reads keys only), {@code by-creation} (createTime, JobId:
 * the dashboard's newest jobs), {@code ended} (end time, JobId:
 * expiry), {@code callbacks} (JobId), {@code assets} (MediaId), {@code asset-urls} (userId, InputURL to
 * MediaId), {@code asset-ages} (last change, MediaId), {@code active-since} (last change, JobId of a Created
 * or Executing job: the oldest is the job longest without progress, however large the backlog), and the
 * default one for offsets and counts, {@code answers} (JobId to the frame of its GetSmartHandleJob answer, rendered by
 * the caller; a store of an older version has none until the job changes). {@code active} (JobId to last change) is an older layout's, moved
 * into {@code active-since} at open. Writes are serialised; reads run alongside.
 */
public final class JobStore implements AutoCloseable {
    static final List<String> FAMILIES = List.of("jobs", "summaries", "results", "heads", "by-tenant", "list-entries", "by-creation", "ended", "active",
            "callbacks", "assets", "asset-urls", "asset-ages", "active-since", "answers");
    /** Rows moved from the older layout's {@code active} family per batch at open. */
    private static final int MIGRATION_BATCH = 10_000;
    private static final byte[] NOTHING = new byte[0];
    /** States up to this size are their own summary. */
    private static final int SUMMARY_AS_IS = 2048;
    /**
     * Write-ahead log, in all, after which the oldest memtables are flushed: what bounds the memtables while
     * serving (a few writes a second) and, larger, while building ({@link #bulkLoading}).
     */
    private static final long WAL_SERVING = 32L << 20, WAL_BULK = 1L << 30;
    /** Memtable of the families of large values ({@code jobs}, {@code results}), and of the others. */
    private static final long LARGE_BUFFER_SERVING = 16L << 20, LARGE_BUFFER_BULK = 32L << 20, SMALL_BUFFER = 4L << 20;

    private final Path dir;
    private final boolean temporary;
    private final LRUCache cache;
    private final DBOptions dbOptions;
    private final List<ColumnFamilyOptions> familyOptions = new ArrayList<>();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final RocksDB db;
    private final WriteOptions writeOptions = new WriteOptions();
    private final ColumnFamilyHandle meta, jobs, summaries, results, heads, byTenant, listEntries, byCreation, ended, active, callbacks, assets, assetUrls, assetAges,
            activeSince, answers;
    private final JobCounts counts = new JobCounts();
    private final TenantPositions positions = new TenantPositions();
    /**
     * No active job changed before this time: where {@link #oldestActiveChange()} seeks, so it does not walk
     * over the deletions a drained backlog leaves at the front of {@code active-since}. Lowered by each insert.
     */
    private long activeFloor;
    private final Map<String, Long> offsets = new ConcurrentHashMap<>();
    /** Reads hold it shared, close exclusively: no read reaches a closed RocksDB (which would crash the JVM). */
    private final java.util.concurrent.locks.ReentrantReadWriteLock open = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private boolean closed;
    private boolean bulk;

    static {
        RocksDB.loadLibrary();
    }

    private JobStore(Path dir, boolean temporary, long cacheBytes) throws IOException {
        this.dir = dir;
        this.temporary = temporary;
        Files.createDirectories(dir);
        this.cache = new LRUCache(cacheBytes);
        // no write buffer manager: it flushed the oldest memtable whenever all of them together passed its size,
        // and the oldest was nearly always a family of small rows (heads, indexes), so a store's build made tens
        // of thousands of level-0 files of a few hundred rows each and spent its time compacting them; the
        // memtables are bounded by the write-ahead log's size instead (and by each family's write buffer)
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2).setKeepLogFileNum(2).setMaxTotalWalSize(WAL_SERVING);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, options(false)));
        for (String family : FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(StoreKeys.utf8(family), options(family.equals("jobs") || family.equals("results"))));
        }
        try {
            this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            close(false);
            throw new IOException("Could not open the job store in " + dir + ": " + e.getMessage()
                    + (String.valueOf(e.getMessage()).contains("lock") ? " (another API process uses this folder)" : ""), e);
        }
        int i = 0;
        meta = handles.get(i++);
        jobs = handles.get(i++);
        summaries = handles.get(i++);
        results = handles.get(i++);
        heads = handles.get(i++);
        byTenant = handles.get(i++);
        listEntries = handles.get(i++);
        byCreation = handles.get(i++);
        ended = handles.get(i++);
        active = handles.get(i++);
        callbacks = handles.get(i++);
        assets = handles.get(i++);
        assetUrls = handles.get(i++);
        assetAges = handles.get(i++);
        activeSince = handles.get(i++);
        answers = handles.get(i);
        load();
    }

    /** Opens (or creates) the store in the folder. */
    public static JobStore open(Path dir, long cacheBytes) throws IOException {
        return new JobStore(dir, false, cacheBytes);
    }

    /** A store in a new temporary folder, removed at close: every start reads the topics again. */
    public static JobStore temporary(long cacheBytes) throws IOException {
        return new JobStore(Files.createTempDirectory("flink-asr-api-store"), true, cacheBytes);
    }

    private ColumnFamilyOptions options(boolean largeValues) {
        BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(cache).setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true).setFilterPolicy(new BloomFilter(10, false))
                // partitioned indexes and filters: a file's index of 4 KB blocks is about 1 MB at 300,000 jobs, and
                // with it whole in a 64 MB cache every lookup of a page's 100 rows re-read evicted indexes (ListSmartJobs
                // at 35 pages/s, every request thread in multiGet); now a lookup reads one 4 KB partition
                .setIndexType(IndexType.kTwoLevelIndexSearch).setPartitionFilters(true).setMetadataBlockSize(4096)
                .setCacheIndexAndFilterBlocksWithHighPriority(true).setPinTopLevelIndexAndFilter(true)
                // small blocks for the small values read one at a time (heads, summaries, index rows): a read
                // decompresses 4 KB rather than 16 KB for a row of 1 KB; large values sit in blob files
                .setBlockSize(4 * 1024);
        ColumnFamilyOptions options = new ColumnFamilyOptions().setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION)
                .setWriteBufferSize(largeValues ? LARGE_BUFFER_SERVING : SMALL_BUFFER).setMaxWriteBufferNumber(2);
        if (largeValues) {
            // transcripts go to blob files: compactions move small references, not hundreds of KB
            options.setEnableBlobFiles(true).setMinBlobSize(4096).setBlobCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setEnableBlobGarbageCollection(true);
        }
        familyOptions.add(options);
        return options;
    }

    private void load() throws IOException {
        try (RocksIterator it = db.newIterator(meta)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (StoreOffset.isKey(it.key())) {
                    StoreOffset offset = StoreOffset.of(it.key(), it.value());
                    offsets.put(offset.topic() + "/" + offset.partition(), offset.next());
                } else if (JobCounts.isKey(it.key())) {
                    counts.load(it.key(), it.value());
                }
            }
        }
        moveOlderActiveIndex();
    }

    /** Moves an older layout's {@code active} rows (JobId to last change) into {@code active-since}. */
    private void moveOlderActiveIndex() throws IOException {
        try (RocksIterator it = db.newIterator(active)) {
            it.seekToFirst();
            while (it.isValid()) {
                try (WriteBatch batch = new WriteBatch()) {
                    for (int n = 0; n < MIGRATION_BATCH && it.isValid(); n++, it.next()) {
                        batch.put(activeSince, StoreKeys.timed(StoreKeys.longOf(it.value()), StoreKeys.string(it.key(), 0)), NOTHING);
                        batch.delete(active, it.key());
                    }
                    db.write(writeOptions, batch);
                } catch (RocksDBException e) {
                    throw new IOException("Could not move the older active index: " + e.getMessage(), e);
                }
            }
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * Tunes the store for reading a large backlog (a new replica, or one far behind) or back for serving. While
     * bulk loading, the write-ahead log may grow to {@value #WAL_BULK} bytes before the oldest memtables are
     * flushed, so each family's level-0 files hold thousands of rows rather than hundreds; the large families'
     * memtables are larger; and blob garbage collection,
     * which relocates the oldest transcripts at every compaction that meets them, waits (a store being built
     * has no garbage). Back to serving, every memtable is flushed (the log is short again at once).
     */
    public synchronized void bulkLoading(boolean on) throws IOException {
        if (closed || on == bulk) {
            return;
        }
        try {
            if (!on) {
                try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                    db.flush(flush, handles);
                }
            }
            db.setDBOptions(MutableDBOptions.builder().setMaxTotalWalSize(on ? WAL_BULK : WAL_SERVING).build());
            for (ColumnFamilyHandle large : List.of(jobs, results)) {
                db.setOptions(large, MutableColumnFamilyOptions.builder()
                        .setWriteBufferSize(on ? LARGE_BUFFER_BULK : LARGE_BUFFER_SERVING).setEnableBlobGarbageCollection(!on).build());
            }
            bulk = on;
        } catch (RocksDBException e) {
            throw new IOException("Could not tune the job store for " + (on ? "bulk loading" : "serving") + ": " + e.getMessage(), e);
        }
    }

    // ---- reading

    /** The next offset to read of the topic partition, or -1 when the store has read none of it. */
    public long offset(String topic, int partition) {
        return offsets.getOrDefault(topic + "/" + partition, -1L);
    }

    /** The job's JobStatus JSON, or null. */
    public byte[] job(String jobId) {
        byte[] id = StoreKeys.utf8(jobId);
        byte[] whole = get(jobs, id);
        return whole != null ? whole : get(summaries, id); // a small state is its own summary, kept once
    }

    /** The job's JobStatus JSON without segments and chunks (small states as they are), or null. */
    public byte[] summary(String jobId) {
        return get(summaries, StoreKeys.utf8(jobId));
    }

    /** The frame of the job's GetSmartHandleJob answer as given to {@link #putJob(JobHead, byte[], byte[], byte[], byte[], byte[], StoreOffset)}, or null. */
    public byte[] answer(String jobId) {
        return get(answers, StoreKeys.utf8(jobId));
    }

    /** The Finished job's rendered result as given to {@link #putJob(byte[], byte[], StoreOffset)}, or null. */
    public byte[] result(String jobId) {
        return get(results, StoreKeys.utf8(jobId));
    }

    public JobHead head(String jobId) {
        byte[] b = get(heads, StoreKeys.utf8(jobId));
        return b == null ? null : JobHead.of(jobId, b);
    }

    /** The job's callback JSON, or null. */
    public byte[] callback(String jobId) {
        return get(callbacks, StoreKeys.utf8(jobId));
    }

    /** The asset's JSON, or null. */
    public byte[] asset(String mediaId) {
        return get(assets, StoreKeys.utf8(mediaId));
    }

    /** The MediaId of the tenant's asset of this InputURL, or null. */
    public String assetIdOf(long userId, String inputUrl) {
        byte[] id = get(assetUrls, StoreKeys.tenantUrl(userId, inputUrl));
        return id == null ? null : StoreKeys.string(id, 0);
    }

    /** How many jobs are in the state, over all tenants. */
    public long count(JobState state) {
        return counts.count(state);
    }

    /** How many of the tenant's jobs are in the state (every state when null). */
    public long count(long userId, JobState state) {
        return counts.count(userId, state);
    }

    /**
     * The time of the oldest last change of a Created or Executing job (the one longest without
     * progress), or -1 when there is none: one seek into {@code active-since}.
     */
    public synchronized long oldestActiveChange() {
        lockOpen();
        try (RocksIterator it = db.newIterator(activeSince)) {
            it.seek(StoreKeys.longBytes(activeFloor));
            if (!it.isValid()) {
                return -1;
            }
            activeFloor = StoreKeys.time(it.key());
            return activeFloor;
        } finally {
            open.readLock().unlock();
        }
    }

    /**
     * A page of the tenant's jobs (JSON without segments and chunks), newest or oldest first, in the state (any when null), after skipping
     * {@code skip} of them: reads the index keys it skips and the jobs it returns, nothing else.
     */
    public List<byte[]> page(long userId, JobState state, boolean newestFirst, long skip, int limit) {
        List<byte[][]> rows = scan(userId, state, newestFirst, skip, limit);
        return valuesOf(summaries, rows.stream().map(r -> r[0]).toList());
    }

    /** A row of a page: the job's list entry as it was rendered when stored, or else its summary. */
    public record Row(byte[] listEntry, byte[] summary) {}

    /**
     * The page that {@link #page} reads, as rows: a job stored with its list entry is read with it, beside
     * the page's other rows; only a job stored without one (by an older version) costs a read of its summary.
     */
    public List<Row> rows(long userId, JobState state, boolean newestFirst, long skip, int limit) {
        List<byte[][]> scanned = scan(userId, state, newestFirst, skip, limit);
        List<byte[]> entries = state == null ? entriesOf(userId, scanned, newestFirst)
                : valuesOf(listEntries, scanned.stream().map(r -> r[1]).toList(), true);
        List<byte[]> missing = new ArrayList<>();
        for (int i = 0; i < scanned.size(); i++) {
            if (entries.get(i) == null) {
                missing.add(scanned.get(i)[0]);
            }
        }
        java.util.Iterator<byte[]> summariesOfMissing = valuesOf(summaries, missing, true).iterator();
        List<Row> rows = new ArrayList<>(scanned.size());
        for (byte[] entry : entries) {
            if (entry != null) {
                rows.add(new Row(entry, null));
            } else {
                byte[] summary = summariesOfMissing.next();
                if (summary != null) {
                    rows.add(new Row(null, summary));
                }
            }
        }
        return rows;
    }

    /**
     * The list entries of a page of every state, in its order, read with one iterator from its first row on (a
     * page's entries lie side by side): one seek and a step per row, where looking each up cost a hundred
     * filter, index and block lookups. A row without an entry (a job stored by an older version, or changed
     * between the two reads) is null.
     */
    private List<byte[]> entriesOf(long userId, List<byte[][]> scanned, boolean newestFirst) {
        List<byte[]> entries = new ArrayList<>(java.util.Collections.nCopies(scanned.size(), (byte[]) null));
        if (scanned.isEmpty()) {
            return entries;
        }
        lockOpen();
        try (TenantRange range = new TenantRange(listEntries, userId)) {
            RocksIterator it = range.iterator;
            byte[] first = scanned.get(0)[1];
            if (newestFirst) {
                it.seekForPrev(first);
            } else {
                it.seek(first);
            }
            int row = 0;
            while (it.isValid() && row < scanned.size()) {
                int order = Arrays.compareUnsigned(it.key(), scanned.get(row)[1]) * (newestFirst ? -1 : 1);
                if (order == 0) {
                    entries.set(row++, it.value());
                    step(it, newestFirst);
                } else if (order < 0) { // an entry of a job not on the page
                    step(it, newestFirst);
                } else { // the row has no entry
                    row++;
                }
            }
            return entries;
        } finally {
            open.readLock().unlock();
        }
    }

    /** JobId and tenant index key of each job of the page. */
    private List<byte[][]> scan(long userId, JobState state, boolean newestFirst, long skip, int limit) {
        if (state == null && skip >= TenantPositions.STRIDE) {
            List<byte[][]> rows = scanFromAnchor(userId, newestFirst, skip, limit);
            if (rows != null) {
                return rows;
            }
        }
        List<byte[][]> rows = new ArrayList<>();
        lockOpen();
        try (TenantRange range = new TenantRange(byTenant, userId)) {
            RocksIterator it = range.iterator;
            if (newestFirst) {
                it.seekToLast();
            } else {
                it.seekToFirst();
            }
            long skipped = 0;
            for (; it.isValid() && rows.size() < limit; step(it, newestFirst)) {
                if (state != null && it.value()[0] != state.ordinal()) {
                    continue;
                }
                if (skipped < skip) {
                    skipped++;
                } else {
                    byte[] key = it.key();
                    rows.add(new byte[][] {StoreKeys.utf8(StoreKeys.jobIdOfTenantKey(key)), key});
                }
            }
            return rows;
        } finally {
            open.readLock().unlock();
        }
    }

    /**
     * A page of every state far from the end it is counted from: from the nearest anchor ({@link TenantPositions})
     * on; null when the anchor's key has gone since (the page is then read the long way).
     */
    private List<byte[][]> scanFromAnchor(long userId, boolean newestFirst, long skip, int limit) {
        TenantPositions.Anchors anchors = positions.of(userId);
        if (anchors == null) {
            anchors = anchorsOf(userId);
        }
        java.util.Map.Entry<Long, byte[]> anchor = anchors.nearest(skip, newestFirst);
        if (anchor == null || Math.abs(anchor.getKey() - anchors.target(skip, newestFirst)) > 2L * TenantPositions.STRIDE) {
            // the tenant has grown (or lost anchors) since its index was walked: walk it again
            anchors = anchorsOf(userId);
            anchor = anchors.nearest(skip, newestFirst);
        }
        long target = anchors.target(skip, newestFirst); // the page's first row, counted from the oldest
        if (target < 0 || target >= anchors.total()) {
            return List.of();
        }
        if (anchor == null) {
            return null;
        }
        List<byte[][]> rows = new ArrayList<>();
        lockOpen();
        try (TenantRange range = new TenantRange(byTenant, userId)) {
            RocksIterator it = range.iterator;
            it.seek(anchor.getValue());
            if (!it.isValid() || !Arrays.equals(it.key(), anchor.getValue())) {
                positions.forget(userId);
                return null;
            }
            for (long steps = Math.abs(anchor.getKey() - target); steps > 0 && it.isValid(); steps--) {
                step(it, newestFirst);
            }
            for (; it.isValid() && rows.size() < limit; step(it, newestFirst)) {
                byte[] key = it.key();
                rows.add(new byte[][] {StoreKeys.utf8(StoreKeys.jobIdOfTenantKey(key)), key});
            }
            return rows;
        } finally {
            open.readLock().unlock();
        }
    }

    /** Walks the tenant's index once, with writes held, for its anchors. */
    private synchronized TenantPositions.Anchors anchorsOf(long userId) {
        List<byte[]> keys = new ArrayList<>();
        long position = 0;
        lockOpen();
        try (TenantRange range = new TenantRange(byTenant, userId)) {
            RocksIterator it = range.iterator;
            for (it.seekToFirst(); it.isValid(); it.next(), position++) {
                if (position % TenantPositions.STRIDE == 0) {
                    keys.add(it.key());
                }
            }
        } finally {
            open.readLock().unlock();
        }
        TenantPositions.Anchors anchors = TenantPositions.Anchors.walked(keys, position);
        positions.put(userId, anchors);
        return anchors;
    }

    /** The newest jobs of every tenant (JSON), at most {@code limit}. */
    public List<byte[]> newest(int limit) {
        return newest(limit, false);
    }

    /** As {@link #newest(int)}; {@code asSummaries}: each without its segments and chunks (small states whole). */
    public List<byte[]> newest(int limit, boolean asSummaries) {
        List<byte[]> ids = new ArrayList<>();
        lockOpen();
        try (RocksIterator it = db.newIterator(byCreation)) {
            for (it.seekToLast(); it.isValid() && ids.size() < limit; it.prev()) {
                ids.add(StoreKeys.utf8(StoreKeys.idAfterTime(it.key())));
            }
            if (asSummaries) {
                return valuesOf(summaries, ids);
            }
            List<byte[]> whole = valuesOf(jobs, ids, true);
            List<byte[]> small = valuesOf(summaries, ids, true); // a small state is its own summary, kept once
            List<byte[]> found = new ArrayList<>(ids.size());
            for (int i = 0; i < ids.size(); i++) {
                byte[] json = whole.get(i) != null ? whole.get(i) : small.get(i);
                if (json != null) {
                    found.add(json);
                }
            }
            return found;
        } finally {
            open.readLock().unlock();
        }
    }

    /** JobIds of jobs that ended before the time, oldest first, at most {@code limit}: a range of the end index. */
    public List<String> endedBefore(long time, int limit) {
        return idsBefore(ended, time, limit);
    }

    /** MediaIds of assets last changed before the time, at most {@code limit}. */
    public List<String> assetsChangedBefore(long time, int limit) {
        return idsBefore(assetAges, time, limit);
    }

    private List<String> idsBefore(ColumnFamilyHandle index, long time, int limit) {
        List<String> ids = new ArrayList<>();
        lockOpen();
        try (Slice upper = new Slice(StoreKeys.longBytes(time)); ReadOptions read = new ReadOptions().setIterateUpperBound(upper);
                RocksIterator it = db.newIterator(index, read)) {
            for (it.seekToFirst(); it.isValid() && ids.size() < limit; it.next()) {
                ids.add(StoreKeys.idAfterTime(it.key()));
            }
        } finally {
            open.readLock().unlock();
        }
        return ids;
    }

    private List<byte[]> valuesOf(ColumnFamilyHandle family, List<byte[]> ids) {
        return valuesOf(family, ids, false);
    }

    /** The values of the keys, in their order; a key without one is left out (or, when {@code keepMissing}, null). */
    private List<byte[]> valuesOf(ColumnFamilyHandle family, List<byte[]> ids, boolean keepMissing) {
        if (ids.isEmpty()) {
            return List.of();
        }
        lockOpen();
        try {
            List<byte[]> found = db.multiGetAsList(java.util.Collections.nCopies(ids.size(), family), ids);
            return keepMissing ? found : found.stream().filter(b -> b != null).toList();
        } catch (RocksDBException e) {
            throw new StoreException(e);
        } finally {
            open.readLock().unlock();
        }
    }

    /** An iterator over one tenant's keys of an index (bounded, so it never walks into the next tenant's). */
    private final class TenantRange implements AutoCloseable {
        private final Slice lower, upper;
        private final ReadOptions read;
        final RocksIterator iterator;

        TenantRange(ColumnFamilyHandle index, long userId) {
            lower = new Slice(StoreKeys.tenant(userId));
            upper = new Slice(StoreKeys.tenantEnd(userId));
            read = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
            iterator = db.newIterator(index, read);
        }

        @Override
        public void close() {
            iterator.close();
            read.close();
            upper.close();
            lower.close();
        }
    }

    private static void step(RocksIterator it, boolean backwards) {
        if (backwards) {
            it.prev();
        } else {
            it.next();
        }
    }

    private byte[] get(ColumnFamilyHandle family, byte[] key) {
        lockOpen();
        try {
            return db.get(family, key);
        } catch (RocksDBException e) {
            throw new StoreException(e);
        } finally {
            open.readLock().unlock();
        }
    }

    private void lockOpen() {
        open.readLock().lock();
        if (closed) {
            open.readLock().unlock();
            throw new StoreException(new RocksDBException("the job store is closed"));
        }
    }

    // ---- writing: each change is one batch with the offset of the record behind it (null: none)

    /**
     * Takes a job's state (JobStatus JSON) if it moves the job forward, or updates an Executing job's
     * progress: true then. A state that would move it back is dropped (only the offset moves).
     */
    public boolean putJob(byte[] statusJson, StoreOffset at) throws IOException {
        return putJob(statusJson, null, null, at);
    }

    /**
     * As {@link #putJob(byte[], StoreOffset)}, keeping beside the job what the caller rendered of it: its row
     * in a list (JSON, kept in the tenant's index so that a page is one range read; null: none) and the result
     * of a Finished job, which no longer changes (null: none).
     */
    public boolean putJob(byte[] statusJson, byte[] listEntry, byte[] result, StoreOffset at) throws IOException {
        return putJob(statusJson, summaryOf(statusJson), listEntry, result, at);
    }

    /**
     * As {@link #putJob(byte[], byte[], byte[], StoreOffset)}, with the state's summary made by the caller (who
     * has the state parsed already: reading a long transcript's JSON again as a tree cost the store's build more
     * than its writes).
     */
    public boolean putJob(byte[] statusJson, byte[] summary, byte[] listEntry, byte[] result, StoreOffset at) throws IOException {
        JobHead next = JobHead.parse(statusJson);
        if (next == null) {
            advance(at);
            return false;
        }
        return putJob(next, statusJson, summary, listEntry, result, null, at);
    }

    /**
     * As {@link #putJob(byte[], byte[], byte[], byte[], StoreOffset)}, with the state's head read by the caller,
     * and the frame of its GetSmartHandleJob answer (null: the job has none, and an earlier state's is removed).
     */
    public synchronized boolean putJob(JobHead next, byte[] statusJson, byte[] summary, byte[] listEntry, byte[] result, byte[] answer,
            StoreOffset at) throws IOException {
        JobHead current = head(next.jobId());
        if (current != null && !current.state().mayMoveTo(next.state())) {
            advance(at);
            return false;
        }
        byte[] id = StoreKeys.utf8(next.jobId());
        JobCounts.Change change = current == null || current.state() != next.state()
                ? new JobCounts.Change(next.userId(), current == null ? null : current.state(), next.state()) : null;
        try (WriteBatch batch = new WriteBatch()) {
            if (current != null) {
                unindex(batch, current);
            }
            if (summary == statusJson || Arrays.equals(summary, statusJson)) {
                // a small state is its own summary: kept once (a build wrote and compacted it twice)
                if (current != null) {
                    batch.delete(jobs, id); // an earlier, larger state of the job
                }
            } else {
                batch.put(jobs, id, statusJson);
            }
            batch.put(summaries, id, summary);
            if (result != null) {
                batch.put(results, id, result);
            }
            if (answer != null) {
                batch.put(answers, id, answer);
            } else if (current != null) {
                batch.delete(answers, id); // an earlier state's answer must not outlive it
            }
            batch.put(heads, id, next.bytes());
            byte[] tenantKey = StoreKeys.tenantJob(next.userId(), next.createTime(), next.jobId());
            batch.put(byTenant, tenantKey, new byte[] {(byte) next.state().ordinal()});
            if (listEntry != null) {
                batch.put(listEntries, tenantKey, listEntry);
            }
            batch.put(byCreation, StoreKeys.timed(next.createTime(), next.jobId()), NOTHING);
            if (next.state().isFinal()) {
                batch.put(ended, StoreKeys.timed(next.endTime(), next.jobId()), NOTHING);
            } else {
                batch.put(activeSince, StoreKeys.timed(next.modifiedTime(), next.jobId()), NOTHING);
            }
            if (change != null) {
                batch.put(meta, JobCounts.key(change), counts.after(change));
            }
            write(batch, at);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
        if (change != null) {
            counts.apply(change);
        }
        if (current == null || current.createTime() != next.createTime() || current.userId() != next.userId()) {
            if (current != null) {
                positions.removed(current.userId(), StoreKeys.tenantJob(current.userId(), current.createTime(), current.jobId()));
            }
            positions.added(next.userId(), StoreKeys.tenantJob(next.userId(), next.createTime(), next.jobId()));
        }
        if (!next.state().isFinal()) {
            activeFloor = Math.min(activeFloor, Math.max(0, next.modifiedTime()));
        }
        return true;
    }

    /** Removes the job, its indexes and its callback (a tombstone, or expiry). */
    public synchronized void deleteJob(String jobId, StoreOffset at) throws IOException {
        JobHead current = head(jobId);
        byte[] id = StoreKeys.utf8(jobId);
        JobCounts.Change change = current == null ? null : new JobCounts.Change(current.userId(), current.state(), null);
        try (WriteBatch batch = new WriteBatch()) {
            if (current != null) {
                unindex(batch, current);
                batch.put(meta, JobCounts.key(change), counts.after(change));
            }
            batch.delete(jobs, id);
            batch.delete(summaries, id);
            batch.delete(results, id);
            batch.delete(answers, id);
            batch.delete(heads, id);
            batch.delete(callbacks, id);
            write(batch, at);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
        if (change != null) {
            counts.apply(change);
        }
        if (current != null) {
            positions.removed(current.userId(), StoreKeys.tenantJob(current.userId(), current.createTime(), current.jobId()));
        }
    }

    /** As {@link #summaryOf(byte[])}, from the state already parsed (a long transcript's JSON is not read again). */
    public static byte[] summaryOf(byte[] statusJson, JobStatus parsed) {
        return statusJson.length <= SUMMARY_AS_IS ? statusJson : Json.bytes(parsed.withoutSegments());
    }

    /** The state without its segments and chunks (a list's row); small states as they are. */
    private static byte[] summaryOf(byte[] statusJson) throws IOException {
        if (statusJson.length <= SUMMARY_AS_IS) {
            return statusJson;
        }
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(statusJson);
        tree.remove(List.of("segments", "chunks"));
        return Json.MAPPER.writeValueAsBytes(tree);
    }

    private void unindex(WriteBatch batch, JobHead current) throws IOException {
        try {
            byte[] tenantKey = StoreKeys.tenantJob(current.userId(), current.createTime(), current.jobId());
            batch.delete(byTenant, tenantKey);
            batch.delete(listEntries, tenantKey);
            batch.delete(byCreation, StoreKeys.timed(current.createTime(), current.jobId()));
            if (current.state().isFinal()) {
                batch.delete(ended, StoreKeys.timed(current.endTime(), current.jobId()));
            } else {
                batch.delete(activeSince, StoreKeys.timed(current.modifiedTime(), current.jobId()));
            }
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    public synchronized void putCallback(String jobId, byte[] callbackJson, StoreOffset at) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(callbacks, StoreKeys.utf8(jobId), callbackJson);
            write(batch, at);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    public synchronized void deleteCallback(String jobId, StoreOffset at) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            batch.delete(callbacks, StoreKeys.utf8(jobId));
            write(batch, at);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    /** Takes an asset (its JSON), replacing the one with its MediaId. */
    public synchronized void putAsset(byte[] assetJson, StoreOffset at) throws IOException {
        MediaAsset next = Json.MAPPER.readValue(assetJson, MediaAsset.class);
        if (next.mediaId == null || next.inputUrl == null) {
            advance(at);
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            unindexAsset(batch, next.mediaId);
            batch.put(assets, StoreKeys.utf8(next.mediaId), assetJson);
            batch.put(assetUrls, StoreKeys.tenantUrl(next.userId, next.inputUrl), StoreKeys.utf8(next.mediaId));
            batch.put(assetAges, StoreKeys.timed(Math.max(next.modifiedTime, next.createTime), next.mediaId), NOTHING);
            write(batch, at);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    public synchronized void deleteAsset(String mediaId, StoreOffset at) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            unindexAsset(batch, mediaId);
            batch.delete(assets, StoreKeys.utf8(mediaId));
            write(batch, at);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    private void unindexAsset(WriteBatch batch, String mediaId) throws IOException, RocksDBException {
        byte[] json = asset(mediaId);
        if (json == null) {
            return;
        }
        MediaAsset current = Json.MAPPER.readValue(json, MediaAsset.class);
        byte[] urlKey = StoreKeys.tenantUrl(current.userId, current.inputUrl);
        if (Arrays.equals(get(assetUrls, urlKey), StoreKeys.utf8(mediaId))) {
            batch.delete(assetUrls, urlKey);
        }
        batch.delete(assetAges, StoreKeys.timed(Math.max(current.modifiedTime, current.createTime), mediaId));
    }

    /** Moves the offset only (a record that changes nothing here). */
    public synchronized void advance(StoreOffset at) throws IOException {
        if (at == null) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            write(batch, at);
        }
    }

    private void write(WriteBatch batch, StoreOffset at) throws IOException {
        if (closed) {
            throw new IOException("the job store is closed");
        }
        try {
            if (at != null) {
                batch.put(meta, at.key(), StoreKeys.longBytes(at.next()));
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new IOException("The job store could not write: " + e.getMessage(), e);
        }
        if (at != null) {
            offsets.merge(at.topic() + "/" + at.partition(), at.next(), Math::max);
        }
    }

    /** Counts of what the store holds, by scanning it: for tests and the benchmark, not for requests. */
    public Map<String, Long> scanSizes() {
        Map<String, Long> sizes = new HashMap<>();
        for (int i = 1; i < handles.size(); i++) {
            long n = 0;
            try (RocksIterator it = db.newIterator(handles.get(i))) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    n++;
                }
            }
            sizes.put(FAMILIES.get(i - 1), n);
        }
        return sizes;
    }

    @Override
    public synchronized void close() {
        open.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            close(true);
        } finally {
            open.writeLock().unlock();
        }
    }

    private void close(boolean opened) {
        if (opened) {
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
        }
        writeOptions.close();
        dbOptions.close();
        familyOptions.forEach(ColumnFamilyOptions::close);
        cache.close();
        if (temporary) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary folder left behind
            }
        }
    }
}
