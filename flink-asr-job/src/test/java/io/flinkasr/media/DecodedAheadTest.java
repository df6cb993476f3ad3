package io.flinkasr.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Windows sliced from PCM decoded ahead: the same samples as ffmpeg gives for the window alone, for fewer runs. */
class DecodedAheadTest {
    @TempDir static Path dir;
    static Path media;
    static Path countingFfmpeg;

    private final AudioDecoder direct = new AudioDecoder("ffmpeg", Duration.ofSeconds(60));

    /** 90 s of a rising tone at 16 kHz (every window differs), and an ffmpeg that counts its runs. */
    @BeforeAll
    static void generate() throws Exception {
        media = dir.resolve("chirp.flac");
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                "aevalsrc='sin(2*PI*(200+10*t)*t)':s=16000:d=90", "-ac", "1", media.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        countingFfmpeg = dir.resolve("ffmpeg-counting");
        Files.writeString(countingFfmpeg, "#!/bin/sh\necho run >> '" + dir.resolve("runs") + "'\nexec ffmpeg \"$@\"\n");
        Files.setPosixFilePermissions(countingFfmpeg, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private long runs() throws Exception {
        Path runs = dir.resolve("runs");
        return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
    }

    @Test
    void windowsOfAJobComeFromOneRunPerAheadSpanAndHoldTheSamplesOfTheWindowAlone() throws Exception {
        DecodedAhead ahead = new DecodedAhead(new AudioDecoder(countingFfmpeg.toString(), Duration.ofSeconds(60)), 40, 4);
        long before = runs();
        double[][] windows = {{0, 13}, {10, 13}, {20, 13}, {27, 13}, {37, 13}, {50, 13}, {62, 13}, {75, 13}, {85, 13}};
        for (double[] w : windows) {
            assertThat(ahead.window("a", media, w[0], w[1])).as("window at %s s", w[0]).isEqualTo(direct.decode(media, w[0], w[1]));
        }
        // spans of 40 s from 0, 37 (the first window not inside [0, 40]), 75 (not inside [37, 77]): three runs, not nine
        assertThat(runs() - before).isEqualTo(3);
        ahead.release("a");
        assertThat(ahead.held()).isZero();
    }

    @Test
    void pastTheEndOfTheMediaAWindowIsShortOrEmptyAsFfmpegGivesIt() throws Exception {
        DecodedAhead ahead = new DecodedAhead(direct, 40, 4);
        assertThat(ahead.window("a", media, 70, 13)).isEqualTo(direct.decode(media, 70, 13));
        byte[] last = ahead.window("a", media, 85, 13);
        assertThat(last).hasSize(5 * AudioDecoder.BYTES_PER_SECOND).isEqualTo(direct.decode(media, 85, 13));
        assertThat(ahead.window("a", media, 91, 5)).isEmpty();
    }

    @Test
    void aSeededFirstWindowServesTheNextOnesAndBeyondTheCapJobsAreDecodedWindowByWindow() throws Exception {
        DecodedAhead ahead = new DecodedAhead(new AudioDecoder(countingFfmpeg.toString(), Duration.ofSeconds(60)), 40, 2);
        ahead.seed("a", media, 0, direct.decode(media, 0, 40), 40);
        long before = runs();
        assertThat(ahead.window("a", media, 10, 13)).isEqualTo(direct.decode(media, 10, 13));
        assertThat(runs() - before).as("from the seed").isZero();

        ahead.window("b", media, 0, 13);
        assertThat(ahead.held()).isEqualTo(2);
        long third = runs();
        assertThat(ahead.window("c", media, 0, 13)).isEqualTo(direct.decode(media, 0, 13));
        assertThat(ahead.window("c", media, 10, 13)).isEqualTo(direct.decode(media, 10, 13));
        assertThat(runs() - third).as("a job past the cap: one run per window, nothing held").isEqualTo(2);
        assertThat(ahead.held()).isEqualTo(2);
    }

    /** Windows as {@link DecodedAhead#window} gives them with a background executor: asked again while it answers null. */
    private static byte[] awaitWindow(DecodedAhead ahead, String job, double offset, double seconds) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            byte[] pcm = ahead.window(job, media, offset, seconds);
            if (pcm != null) {
                return pcm;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no window at " + offset + " s within 30 s");
    }

    @Test
    void withAnExecutorTheNextSpanIsDecodedInTheBackgroundAndWindowsAcrossTheSeamHoldTheSamplesOfTheWindowAlone()
            throws Exception {
        java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            DecodedAhead ahead = new DecodedAhead(new AudioDecoder(countingFfmpeg.toString(), Duration.ofSeconds(60)), 40, 4,
                    background);
            long before = runs();
            // the first window decodes [0, 40] on this thread (27 s left beyond it: nothing more yet); the window at
            // 10 s leaves 17 s, less than half of 40: [40, 80] is decoded in the background, and later [80, 90]
            double[][] windows = {{0, 13}, {10, 13}, {20, 13}, {27, 13}, {37, 13}, {50, 13}, {62, 13}, {75, 13}, {85, 13}};
            for (double[] w : windows) {
                assertThat(awaitWindow(ahead, "a", w[0], w[1])).as("window at %s s", w[0]).isEqualTo(direct.decode(media, w[0], w[1]));
            }
            // [0, 40] here, [40, 80] and [80, 90] in the background
            assertThat(runs() - before).isEqualTo(3);
            ahead.release("a");
            assertThat(ahead.held()).isZero();
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void whileItsSpanIsDecodedInTheBackgroundAWindowIsNullAndAReleasedJobsDecodingIsDropped() throws Exception {
        Path slowFfmpeg = dir.resolve("ffmpeg-slow");
        Files.writeString(slowFfmpeg, "#!/bin/sh\nsleep 1\nexec ffmpeg \"$@\"\n");
        Files.setPosixFilePermissions(slowFfmpeg, PosixFilePermissions.fromString("rwxr-xr-x"));
        java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            DecodedAhead ahead = new DecodedAhead(new AudioDecoder(slowFfmpeg.toString(), Duration.ofSeconds(60)), 40, 4, background);
            ahead.seed("a", media, 0, direct.decode(media, 0, 40), 40);
            assertThat(ahead.window("a", media, 15, 13)).as("from the seed").isEqualTo(direct.decode(media, 15, 13));
            // 12 s left beyond it: [40, 80] is being decoded, a second away
            assertThat(ahead.window("a", media, 30, 13)).as("a window past the seed, before its span is decoded").isNull();
            assertThat(awaitWindow(ahead, "a", 30, 13)).isEqualTo(direct.decode(media, 30, 13));

            ahead.seed("b", media, 0, direct.decode(media, 0, 40), 40);
            assertThat(ahead.window("b", media, 20, 13)).isNotNull();
            ahead.release("b");
            assertThat(ahead.window("b", media, 30, 13)).as("a released job starts over, on this thread")
                    .isEqualTo(direct.decode(media, 30, 13));
        } finally {
            background.shutdownNow();
        }
    }
}
