package io.flinkasr.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * A long input made with ffmpeg from real recordings: each recording of a sequence (repeats allowed)
 * converted to 16 kHz mono and followed by {@code gap} seconds of silence, then all of them concatenated
 * into one file whose format follows its extension (FLAC for {@code .flac}).
 */
public record JoinedSpeech(Path file, double seconds, String transcript) {

    /**
     * Joins {@code sequence} into {@code out}. The converted pieces are kept in {@code work} and reused by
     * later joins with the same gap; {@code out} appears only once it is complete.
     */
    public static JoinedSpeech join(String ffmpeg, List<Recording> sequence, double gap, Path work, Path out)
            throws IOException, InterruptedException {
        if (sequence.isEmpty()) {
            throw new IllegalArgumentException("nothing to join");
        }
        Files.createDirectories(work);
        StringBuilder list = new StringBuilder();
        StringBuilder transcript = new StringBuilder();
        double seconds = 0;
        for (Recording r : sequence) {
            Path piece = piece(ffmpeg, r, gap, work);
            list.append("file '").append(piece.toAbsolutePath().toString().replace("'", "'\\''")).append("'\n");
            transcript.append(r.transcript()).append(' ');
            seconds += r.seconds() + gap;
        }
        Path listFile = Files.writeString(work.resolve("concat-" + out.getFileName() + ".txt"), list);
        Path partial = out.resolveSibling(".partial-" + out.getFileName());
        run(ffmpeg, "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", listFile.toString(), partial.toString());
        Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new JoinedSpeech(out, seconds, transcript.toString().strip());
    }

    /** What {@link #join} would make, without making it: for a file an earlier run left. */
    public static JoinedSpeech describe(List<Recording> sequence, double gap, Path out) {
        double seconds = 0;
        StringBuilder transcript = new StringBuilder();
        for (Recording r : sequence) {
            seconds += r.seconds() + gap;
            transcript.append(r.transcript()).append(' ');
        }
        return new JoinedSpeech(out, seconds, transcript.toString().strip());
    }

    private static Path piece(String ffmpeg, Recording r, double gap, Path work) throws IOException, InterruptedException {
        String stem = r.name().replaceAll("[^A-Za-z0-9_.-]", "_");
        Path piece = work.resolve(String.format(Locale.ROOT, "piece-%s-%dms.wav", stem, Math.round(gap * 1000)));
        if (!Files.exists(piece)) {
            Path partial = work.resolve(".partial-" + piece.getFileName());
            run(ffmpeg, "-v", "error", "-y", "-i", r.file().toString(), "-ac", "1", "-ar", "16000",
                    "-af", String.format(Locale.ROOT, "apad=pad_dur=%.3f", gap), "-c:a", "pcm_s16le", partial.toString());
            Files.move(partial, piece, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return piece;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }
}
