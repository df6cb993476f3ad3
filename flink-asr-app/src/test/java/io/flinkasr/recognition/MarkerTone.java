package io.flinkasr.recognition;

/**
 * The crash tests' marker: audio that starts with a loud pure tone of {@value #FREQUENCY} Hz, told apart
 * from speech by analysing the samples of 16 kHz mono 16-bit PCM. The first {@value #SAMPLES} samples
 * (0.5 s, a whole number of the tone's periods) must be loud (RMS at least a quarter of full scale) and
 * have nearly all their energy at that frequency (Goertzel), which no speech or music does.
 */
public final class MarkerTone {
    public static final int FREQUENCY = 1000;
    static final int SAMPLE_RATE = 16000;
    static final int SAMPLES = 8000;
    private static final double MIN_RMS = 32768 * 0.25;
    private static final double MIN_SHARE_AT_FREQUENCY = 0.9;

    private MarkerTone() {}

    /**
     * The ffmpeg lavfi source of the tone, {@code seconds} long at 16 kHz: ffmpeg's sine source (amplitude
     * 1/8) made six times louder, about -2.5 dBFS.
     */
    public static String ffmpegSource(double seconds) {
        return "sine=frequency=" + FREQUENCY + ":sample_rate=" + SAMPLE_RATE + ":duration=" + seconds + ",volume=6";
    }

    /** Whether the PCM starts with the marker tone. */
    public static boolean startsWith(byte[] pcm) {
        if (pcm.length < 2 * SAMPLES) {
            return false;
        }
        double energy = 0;
        // Goertzel at the tone's bin: SAMPLES * FREQUENCY / SAMPLE_RATE is a whole number
        double coefficient = 2 * Math.cos(2 * Math.PI * FREQUENCY / SAMPLE_RATE);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < SAMPLES; i++) {
            double x = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
            energy += x * x;
            double s = x + coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double atFrequency = s1 * s1 + s2 * s2 - coefficient * s1 * s2; // |X(k)|²; a pure tone: SAMPLES * energy / 2
        return Math.sqrt(energy / SAMPLES) >= MIN_RMS
                && 2 * atFrequency / (SAMPLES * energy) >= MIN_SHARE_AT_FREQUENCY;
    }
}
