package io.flinkasr.media;

import java.util.Arrays;

/** Short-time energy of 16 kHz mono 16-bit PCM: the voice-activity measure of the chunk planner. */
public final class Loudness {
    /** 10 ms. */
    public static final int FRAME = AudioDecoder.SAMPLE_RATE / 100;
    /** Mean energy of a 200 ms stretch below which audio counts as silence: about -60 dBFS. */
    static final double SILENCE = 32.0 * 32.0;

    private Loudness() {}

    /** Mean squared sample value of each whole 10 ms frame. */
    public static double[] frames(byte[] pcm) {
        int frames = pcm.length / 2 / FRAME;
        double[] energy = new double[frames];
        for (int f = 0; f < frames; f++) {
            double sum = 0;
            for (int i = f * FRAME; i < (f + 1) * FRAME; i++) {
                int s = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
                sum += (double) s * s;
            }
            energy[f] = sum / FRAME;
        }
        return energy;
    }

    /** Whether no 200 ms stretch of the audio rises above silence: nothing there to recognise. */
    public static boolean silent(byte[] pcm) {
        double[] energy = frames(pcm);
        double window = 0;
        for (int f = 0; f < energy.length; f++) {
            window += energy[f];
            if (f >= 20) {
                window -= energy[f - 20];
            }
            if (window / Math.min(f + 1, 20) > SILENCE) {
                return false;
            }
        }
        return true;
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
