package io.flinkasr.media;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * The niceness of {@link #withSpareCpu()}: about a tenth of a core's share beside a busy recognizer (nice 19
     * would be about 1 %, and a decoding started ahead would not finish before the recognizers ran out of chunks).
     */
    static final int SPARE_CPU_NICENESS = 10;
    /** Where coreutils' nice is, if anywhere. */
    private static final java.util.Optional<Path> NICE = java.util.stream.Stream.of("/usr/bin/nice", "/bin/nice")
            .map(Path::of).filter(java.nio.file.Files::isExecutable).findFirst();

    private final String ffmpeg;
    private final Duration timeout;
    /** Commands before ffmpeg's: none, or nice ({@link #withSpareCpu()}). */
    private final List<String> prefix;

    public AudioDecoder(String ffmpeg, Duration timeout) {
        this(ffmpeg, timeout, List.of());
    }

    private AudioDecoder(String ffmpeg, Duration timeout, List<String> prefix) {
        this.ffmpeg = ffmpeg;
        this.timeout = timeout;
        this.prefix = prefix;
    }

    /**
     * This decoder with ffmpeg at a low CPU priority (nice {@value #SPARE_CPU_NICENESS}, where the system has nice): for decoding that
     * nobody waits for yet, which should take only the CPU that the recognizers leave.
     */
    public AudioDecoder withSpareCpu() {
        return NICE.map(nice -> new AudioDecoder(ffmpeg, timeout, List.of(nice.toString(), "-n", String.valueOf(SPARE_CPU_NICENESS)))).orElse(this);
    }

    /** A media's first window and its duration as the header says (-1 where it does not say). */
    public record Opened(byte[] pcm, double durationSeconds) {}

    private static final Pattern DURATION = Pattern.compile("\\n\\s*Duration: (\\d+):(\\d{2}):(\\d{2}(?:\\.\\d+)?)");

    /** PCM bytes of the window; fewer than asked (maybe none) where the media ends first. */
    public byte[] decode(Path file, double offset, double seconds) throws MediaException {
        Subprocess.Result run = run(file, offset, seconds, "error");
        if (run.exitCode() != 0 && run.stdout().length == 0) {
            throw new MediaException("Media.Corrupt", "The media could not be decoded.");
        }
        return evenBytes(run.stdout());
    }

    /**
     * Decodes a job's first window and reads the media's duration from the description of its input that
     * ffmpeg writes on the way: what ffprobe would say, for one process start instead of two (each costs
     * about 0.1 s of CPU and 0.2-0.3 s of wall time). What is no media that ffmpeg opens is
     * Media.Unsupported, media without an audio stream Media.NoAudioStream, and media that opens but does
     * not decode Media.Corrupt.
     */
    public Opened open(Path file, double offset, double seconds) throws MediaException {
        Subprocess.Result run = run(file, offset, seconds, "info");
        String described = "\n" + run.stderr();
        if (run.exitCode() != 0 && run.stdout().length == 0) {
            if (!described.contains("\nInput #0")) {
                throw new MediaException("Media.Unsupported", "The InputFile is not a media file that can be decoded.");
            }
            if (described.contains("matches no streams")) {
                throw new MediaException("Media.NoAudioStream", "The InputFile has no audio stream.");
            }
            throw new MediaException("Media.Corrupt", "The media could not be decoded.");
        }
        Matcher m = DURATION.matcher(described);
        double duration = -1;
        if (m.find()) {
            duration = Integer.parseInt(m.group(1)) * 3600 + Integer.parseInt(m.group(2)) * 60 + Double.parseDouble(m.group(3));
        }
        return new Opened(evenBytes(run.stdout()), duration > 0 ? duration : -1);
    }

    private Subprocess.Result run(Path file, double offset, double seconds, String verbosity) throws MediaException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-v", verbosity));
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
        return run;
    }

    private static byte[] evenBytes(byte[] pcm) {
        return pcm.length % 2 != 0 ? java.util.Arrays.copyOf(pcm, pcm.length - 1) : pcm;
    }

    private static String format(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }
}
