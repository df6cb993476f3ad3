package io.flinkasr.records;

/** What recognition made of one chunk: its segments (absolute times), or an error. */
public class ChunkResult {
    public String jobId;
    public int seq;
    public double offset;
    public double length;
    /** Seconds at the start shared with the previous chunk; the assembler keeps each word once. */
    public double overlap;
    /** Seconds of context at the start that belong to the previous chunk (see Chunk#lead). */
    public double lead;
    public Segment[] segments;
    /** Which recognition subtask decoded the chunk (shown in the job's chunk list). */
    public int subtask;
    /** Epoch milliseconds when recognition took the chunk up, and when it answered it (the job's chunk timeline). */
    public long startedAt;
    public long endedAt;
    public String errorCode;
    public String errorMessage;

    public ChunkResult() {}

    public boolean failed() {
        return errorCode != null;
    }

    @Override
    public String toString() {
        return "ChunkResult{" + jobId + "#" + seq + (failed() ? " " + errorCode : "") + "}";
    }
}
