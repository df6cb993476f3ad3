package io.flinkasr.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decodes one window of a media file with ffmpeg: its first audio stream, from {@code offset} for at most
 * {@code seconds}, resampled to 16 kHz mono signed 16-bit PCM. ffmpeg seeks accurately (input seek with
 * {@code -accurate_seek}, its default when transcoding), so a window starts at the sample asked for and
 * times stay absolute in the source media.
 */
public final class AudioDecoder {
    public static final int SAMPLE_RATE = 16000;
    public static final int BYTES_PER_SECOND = 2 * SAMPLE_RATE;

    /** The length in bytes of {@code seconds} of this PCM (whole samples). */
    public static int bytesOf(double seconds) {
        return (int) Math.round(seconds * SAMPLE_RATE) * 2;
    }

    private final String ffmpeg;
    private final Duration timeout;

    public AudioDecoder(String ffmpeg, Duration timeout) {
        this.ffmpeg = ffmpeg;
        this.timeout = timeout;
    }

    /** PCM bytes of the window; fewer than asked (maybe none) where the media ends first. */
    public byte[] decode(Path file, double offset, double seconds) throws MediaException {
        List<String> command = new ArrayList<>(List.of(ffmpeg, "-nostdin", "-hide_banner", "-v", "error"));
        command.addAll(Subprocess.INPUT_LIMITS);
        if (offset > 0) {
            command.addAll(List.of("-ss", format(offset)));
        }
        command.addAll(List.of("-t", format(seconds), "-i", file.toString()));
        command.addAll(List.of("-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1", "-ar", String.valueOf(SAMPLE_RATE)));
        command.addAll(List.of("-c:a", "pcm_s16le", "-f", "s16le", "pipe:1"));
        Subprocess.Result run = Subprocess.run(command, timeout);
        if (run.timedOut()) {
            throw new MediaException(
                    "Media.DecodeTimeout", "Decoding the media took longer than " + timeout.toSeconds() + " s.");
        }
        if (run.exitCode() != 0 && run.stdout().length == 0) {
            throw new MediaException("Media.Corrupt", "The media could not be decoded.");
        }
        byte[] pcm = run.stdout();
        if (pcm.length % 2 != 0) {
            pcm = java.util.Arrays.copyOf(pcm, pcm.length - 1);
        }
        return pcm;
    }

    private static String format(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }
}
