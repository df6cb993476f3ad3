package io.flinkasr.media;

/**
 * Decides where a chunk ends: at the quietest stretch of audio between the minimum and the maximum chunk
 * length, so that a cut falls in a pause between words rather than inside one.
 *
 * <p>Loudness is the mean energy of 10 ms frames, smoothed over a 200 ms window; the cut is placed in
 * the middle of the quietest such window. Where several are equally quiet (digital silence) the latest
 * one wins, which keeps chunks long.
 */
public final class ChunkPlanner {
    static final int FRAME = AudioDecoder.SAMPLE_RATE / 100; // 10 ms
    static final int SMOOTH_FRAMES = 20; // 200 ms

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

    public double maxSeconds() {
        return maxSeconds;
    }

    /**
     * Where to cut a window of 16 kHz mono PCM, in bytes from its start.
     *
     * @param pcm the window, at most {@link #maxSeconds()} long
     * @param endOfMedia whether the media ends with this window (then it is taken whole)
     */
    public int cut(byte[] pcm, boolean endOfMedia) {
        int samples = pcm.length / 2;
        int maxSamples = (int) Math.round(maxSeconds * AudioDecoder.SAMPLE_RATE);
        if (endOfMedia || samples < maxSamples) {
            return samples * 2;
        }
        int frames = samples / FRAME;
        double[] prefix = new double[frames + 1];
        for (int f = 0; f < frames; f++) {
            double sum = 0;
            for (int i = f * FRAME; i < (f + 1) * FRAME; i++) {
                int s = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
                sum += (double) s * s;
            }
            prefix[f + 1] = prefix[f] + sum / FRAME;
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
        int cutSample = (best + SMOOTH_FRAMES / 2) * FRAME;
        return Math.min(cutSample, samples) * 2;
    }
}
