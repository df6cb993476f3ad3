package io.flinkasr.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChunkPlannerTest {
    private static final int RATE = AudioDecoder.SAMPLE_RATE;
    private final ChunkPlanner planner = new ChunkPlanner(15, 25);

    /** 25 s of loud tone with quiet gaps at the given seconds (each 0.4 s long). */
    private static byte[] toneWithPauses(double seconds, double... pauses) {
        int n = (int) (seconds * RATE);
        byte[] pcm = new byte[n * 2];
        for (int i = 0; i < n; i++) {
            double t = i / (double) RATE;
            boolean quiet = false;
            for (double p : pauses) {
                quiet |= t >= p && t < p + 0.4;
            }
            short s = quiet ? (short) (Math.sin(i) * 30) : (short) (Math.sin(2 * Math.PI * 220 * t) * 12000);
            pcm[2 * i] = (byte) s;
            pcm[2 * i + 1] = (byte) (s >> 8);
        }
        return pcm;
    }

    private static double seconds(int bytes) {
        return bytes / (double) AudioDecoder.BYTES_PER_SECOND;
    }

    @Test
    void cutsInThePauseBetweenMinAndMax() {
        byte[] pcm = toneWithPauses(25, 5.0, 18.0);

        ChunkPlanner.Cut cut = planner.cut(pcm, false);

        // the pause at 5 s is before the minimum; the one at 18-18.4 s is where the cut belongs
        assertThat(seconds(cut.bytes())).isBetween(18.0, 18.4);
        assertThat(cut.inPause()).isTrue();
    }

    @Test
    void takesTheLastWindowWhole() {
        byte[] pcm = toneWithPauses(25, 18.0);

        assertThat(planner.cut(pcm, true).bytes()).isEqualTo(pcm.length);
    }

    @Test
    void takesAShortWindowWhole() {
        byte[] pcm = toneWithPauses(9, 4.0);

        assertThat(planner.cut(pcm, false).bytes()).isEqualTo(pcm.length);
    }

    @Test
    void cutsWithinTheBoundsWhenThereIsNoPause() {
        byte[] pcm = toneWithPauses(25);

        ChunkPlanner.Cut cut = planner.cut(pcm, false);

        assertThat(seconds(cut.bytes())).isBetween(15.0, 25.0);
        assertThat(cut.inPause()).as("a steady tone has no pause: the caller must overlap").isFalse();
    }

    @Test
    void cutsOnASampleBoundary() {
        byte[] pcm = toneWithPauses(25, 20.0);

        assertThat(planner.cut(pcm, false).bytes() % 2).isZero();
    }

    @Test
    void refusesImpossibleBounds() {
        assertThatThrownBy(() -> new ChunkPlanner(20, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChunkPlanner(0, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
