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
    void aLongJobsChunksGrowUntilItNoLongerSpreadsOverEveryRecognizerTwice() {
        // 330 s on 2 recognizers: a share of 82.5 s, more than the longest
        ChunkPlanner fiveMinutes = planner.spreading(330, 2, 60);
        assertThat(fiveMinutes.maxSeconds()).isEqualTo(60.0);
        assertThat(fiveMinutes.minSeconds()).isEqualTo(48.0);
        // 100 s on 2: a share of 25 s, cut within a fifth of it either side
        ChunkPlanner hundred = planner.spreading(100, 2, 60);
        assertThat(hundred.maxSeconds()).isEqualTo(30.0);
        assertThat(hundred.minSeconds()).isEqualTo(20.0);
        // an hour on 16 recognizers, and one on 4
        assertThat(planner.spreading(3600, 16, 60).maxSeconds()).isEqualTo(60.0);
        assertThat(planner.spreading(3600, 4, 90).maxSeconds()).isEqualTo(90.0);
    }

    @Test
    void aJobTooShortToSpreadOrOfUnknownLengthIsCutAsBefore() {
        assertThat(planner.spreading(80, 2, 60)).isSameAs(planner); // a share of 20 s: at most 24 s, under 25
        assertThat(planner.spreading(3600, 1000, 60)).isSameAs(planner);
        assertThat(planner.spreading(-1, 2, 60)).isSameAs(planner);
        assertThat(planner.spreading(3600, 2, 25)).isSameAs(planner); // longest = max: never longer
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
