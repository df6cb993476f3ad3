package io.flinkasr.records;

/**
 * A window of one job's media, cut at a pause: where it lies in which file, not its audio. The recogniser
 * decodes the window itself when its turn comes, so a chunk on the wire and in a recogniser's queue costs
 * a few dozen bytes; an hour of media waiting to be recognised is a few kilobytes of state, not 115 MB of
 * PCM, and the chunker never waits on a busy recogniser.
 */
public class Chunk {
    public String jobId;
    public int seq;
    /** The file to decode: a file under the media roots, or the staged copy of a remote one. */
    public String media;
    /** The chunk's audio as the chunker decoded it, left in the staging folder (it may be gone: then decode {@link #media}). */
    public String audio;
    /** Where the chunk starts in the source media, in seconds (its {@link #lead} included). */
    public double offset;
    /** How long the chunk is, in seconds ({@link #lead} included). */
    public double seconds;
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
    /** In which order the recognition subtask received it (set there): the oldest goes first now and then. */
    public long arrival;

    public Chunk() {}

    public Chunk(String jobId, int seq, String media, double offset, double seconds, int route) {
        this.jobId = jobId;
        this.seq = seq;
        this.media = media;
        this.offset = offset;
        this.seconds = seconds;
        this.route = route;
    }

    public String key() {
        return jobId + "#" + seq;
    }

    public double seconds() {
        return seconds;
    }

    @Override
    public String toString() {
        return "Chunk{" + key() + " @" + offset + "s, " + seconds + "s}";
    }
}
