package io.flinkasr.records;

/** Where one chunk of a job lies in the media, which recognition subtask decoded it, and when. */
public class ChunkInfo {
    public int seq;
    public double from;
    public double to;
    public int subtask;
    /** Epoch milliseconds when its recognition began and ended (0: not known, e.g. a state written before). */
    public long startedAt;
    public long endedAt;

    public ChunkInfo() {}

    public ChunkInfo(int seq, double from, double to, int subtask) {
        this.seq = seq;
        this.from = from;
        this.to = to;
        this.subtask = subtask;
    }

    /** What the job's state tells of a recognised chunk. */
    public static ChunkInfo of(ChunkResult r) {
        ChunkInfo info = new ChunkInfo(r.seq, r.offset + r.lead, r.offset + r.length, r.subtask);
        info.startedAt = r.startedAt;
        info.endedAt = r.endedAt;
        return info;
    }
}
