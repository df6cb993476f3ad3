package io.flinkasr.records;

/**
 * A window of one job's audio, cut at a pause: 16 kHz mono signed 16-bit little-endian PCM. Its size is
 * bounded by the planner's maximum chunk length (25 s is 800 KB), never a whole file.
 */
public class Chunk {
    public String jobId;
    public int seq;
    /** Where the chunk starts in the source media, in seconds. */
    public double offset;
    public byte[] pcm;

    public Chunk() {}

    public Chunk(String jobId, int seq, double offset, byte[] pcm) {
        this.jobId = jobId;
        this.seq = seq;
        this.offset = offset;
        this.pcm = pcm;
    }

    /** The key that spreads one job's chunks over every recognition subtask. */
    public String key() {
        return jobId + "#" + seq;
    }

    public double seconds() {
        return pcm.length / (double) (2 * 16000);
    }

    @Override
    public String toString() {
        return "Chunk{" + key() + " @" + offset + "s, " + seconds() + "s}";
    }
}
