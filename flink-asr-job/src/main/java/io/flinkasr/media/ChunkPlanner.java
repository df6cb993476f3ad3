package io.flinkasr.media;

/**
 * Decides where a chunk ends: at the quietest stretch of audio between the minimum and the maximum chunk
 * length, so that a cut falls in a pause between words rather than inside one.
 *
 * <p>Loudness is the mean energy of 10 ms frames ({@link Loudness}), smoothed over a 200 ms window; the
 * cut is placed in the middle of the quietest such window. Where several are equally quiet (digital
 * silence) the latest one wins, which keeps chunks long. A cut is a <em>pause</em> when that window is at
 * least 10 dB below the window's median loudness, or silent outright; where there is no pause (music,
 * crosstalk, a fast talker) the caller overlaps the next chunk with this one instead.
 */
public final class ChunkPlanner {
    static final int SMOOTH_FRAMES = 20; // 200 ms
    private static final int FRAME = Loudness.FRAME;

    /** Where to cut, in bytes from the window's start, and whether the cut falls in a pause. */
    public record Cut(int bytes, boolean inPause) {}

    /**
     * Chunks a long job gives each recognition subtask, at least: its chunks go round robin, so a job of twice as
     * many chunks as subtasks keeps every recognizer busy to its end, with its cuts still free to fall in pauses.
     */
    static final int CHUNKS_PER_RECOGNIZER = 2;

    private final double minSeconds;
    private final double maxSeconds;

    public ChunkPlanner(double minSeconds, double maxSeconds) {
        if (minSeconds <= 0 || maxSeconds < minSeconds) {
            throw new IllegalArgumentException(
                    "chunk lengths must satisfy 0 < min <= max, got " + minSeconds + ", " + maxSeconds);
        }
        this.minSeconds = minSeconds;
        this.maxSeconds = maxSeconds;
    }

    /**
     * The planner for a job of {@code mediaSeconds} recognised by {@code recognizers} subtasks: chunks as long as
     * the job allows while it still gives each recognizer about {@value #CHUNKS_PER_RECOGNIZER} (cut within a fifth
     * of that length either side), up to {@code longestSeconds}. A job of unknown length, or too short to spread,
     * is cut as this planner cuts.
     */
    public ChunkPlanner spreading(double mediaSeconds, int recognizers, double longestSeconds) {
        if (mediaSeconds <= 0 || recognizers <= 0) {
            return this;
        }
        double share = mediaSeconds / (CHUNKS_PER_RECOGNIZER * recognizers);
        double max = Math.min(longestSeconds, 1.2 * share);
        if (max <= maxSeconds) {
            return this;
        }
        return new ChunkPlanner(Math.max(minSeconds, 0.8 * Math.min(share, longestSeconds)), max);
    }

    public double maxSeconds() {
        return maxSeconds;
    }

    public double minSeconds() {
        return minSeconds;
    }

    /**
     * Where to cut a window of 16 kHz mono PCM.
     *
     * @param pcm the window, at most {@link #maxSeconds()} long
     * @param endOfMedia whether the media ends with this window (then it is taken whole)
     */
    public Cut cut(byte[] pcm, boolean endOfMedia) {
        int samples = pcm.length / 2;
        int maxSamples = (int) Math.round(maxSeconds * AudioDecoder.SAMPLE_RATE);
        if (endOfMedia || samples < maxSamples) {
            return new Cut(samples * 2, true);
        }
        double[] energy = Loudness.frames(pcm);
        int frames = energy.length;
        double[] prefix = new double[frames + 1];
        for (int f = 0; f < frames; f++) {
            prefix[f + 1] = prefix[f] + energy[f];
        }
        int firstFrame = Math.min((int) Math.floor(minSeconds * 100), frames - SMOOTH_FRAMES);
        int lastFrame = frames - SMOOTH_FRAMES;
        int best = Math.max(0, lastFrame);
        double bestEnergy = Double.MAX_VALUE;
        for (int start = Math.max(0, firstFrame); start <= lastFrame; start++) {
            double window = prefix[start + SMOOTH_FRAMES] - prefix[start];
            if (window <= bestEnergy) {
                bestEnergy = window;
                best = start;
            }
        }
        double quietest = bestEnergy / SMOOTH_FRAMES;
        boolean inPause = quietest <= Loudness.SILENCE || quietest <= 0.1 * Loudness.median(energy);
        int cutSample = (best + SMOOTH_FRAMES / 2) * FRAME;
        return new Cut(Math.min(cutSample, samples) * 2, inPause);
    }
}
