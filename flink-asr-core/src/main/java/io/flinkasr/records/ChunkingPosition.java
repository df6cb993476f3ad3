package io.flinkasr.records;

/** The chunker's keyed state for one job: where the next window starts and how many chunks were cut. */
public class ChunkingPosition {
    public JobRequest request;
    /** Seconds into the media where the next chunk starts. */
    public double position;
    /** Where to stop, in seconds; negative = at the end of the media. */
    public double end = -1;
    public int nextSeq;
    /** Seconds the next chunk starts before the end of the last one (0 when the last cut was in a pause). */
    public double overlapNext;
    public boolean probed;
    /** For a remote InputFile: bytes staged locally so far, and whether the whole object is there. */
    public long fetchedBytes;
    public boolean fetched;

    public ChunkingPosition() {}

    public ChunkingPosition(JobRequest request) {
        this.request = request;
        this.position = Math.max(0, request.startTime);
        this.end = request.duration > 0 ? position + request.duration : -1;
    }
}
