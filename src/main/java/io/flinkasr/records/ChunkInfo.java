package io.flinkasr.records;

/** Where one chunk of a job lies in the media and which recognition subtask decoded it. */
public class ChunkInfo {
    public int seq;
    public double from;
    public double to;
    public int subtask;

    public ChunkInfo() {}

    public ChunkInfo(int seq, double from, double to, int subtask) {
        this.seq = seq;
        this.from = from;
        this.to = to;
        this.subtask = subtask;
    }
}
