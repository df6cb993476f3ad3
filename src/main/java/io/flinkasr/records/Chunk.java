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
    /**
     * The recognition key: chosen by the chunker so that consecutive chunks of a job go to consecutive
     * recognition subtasks (round robin), not wherever a hash happens to put them.
     */
    public int route;
    /** Seconds at the start of this chunk that the previous chunk also holds (cut where there was no pause). */
    public double overlap;
    /**
     * Seconds of context at the very start: audio the previous chunk holds whole, given to the recogniser
     * so that it starts this chunk warm; its words are dropped in favour of the previous chunk's.
     */
    public double lead;

    public Chunk() {}

    public Chunk(String jobId, int seq, double offset, byte[] pcm, int route) {
        this.jobId = jobId;
        this.seq = seq;
        this.offset = offset;
        this.pcm = pcm;
        this.route = route;
    }

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
