package io.flinkasr.records;

/** The assembler's keyed state for one job, beside the chunk results it has collected. */
public class JobProgress {
    public JobRequest request;
    public double mediaSeconds;
    /** -1 until the chunker says how many chunks it cut. */
    public int totalChunks = -1;
    /** Set once the job has its final state; kept a while to drop chunks that arrive after it. */
    public boolean ended;
    /** Processing time of the pending timer (stall check, or forgetting an ended job). */
    public long timerAt;

    public JobProgress() {}
}
