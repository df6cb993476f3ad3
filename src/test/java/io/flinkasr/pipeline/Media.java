package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.recognition.MarkerTone;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test media made with real ffmpeg from the shared recordings. */
final class Media {
    private Media() {}

    /** What {@link #joined} made: the file, its length and what is said in it. */
    record Joined(Path file, double seconds, String transcript) {}

    /**
     * The recordings one after another, {@code rounds} times, each followed by {@code gap} seconds of
     * silence, as 16 kHz mono FLAC.
     */
    static Joined joined(List<SpeechSet.Recording> recordings, int rounds, double gap, Path work, Path out) throws Exception {
        StringBuilder list = new StringBuilder();
        StringBuilder transcript = new StringBuilder();
        double seconds = 0;
        for (int i = 0; i < recordings.size(); i++) {
            run("ffmpeg", "-v", "error", "-y", "-i", recordings.get(i).file().toString(), "-ac", "1", "-ar", "16000",
                    "-af", "apad=pad_dur=" + gap, "-c:a", "pcm_s16le", work.resolve("piece-" + i + ".wav").toString());
        }
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < recordings.size(); i++) {
                list.append("file '").append(work.resolve("piece-" + i + ".wav")).append("'\n");
                transcript.append(recordings.get(i).transcript()).append(' ');
                seconds += recordings.get(i).seconds() + gap;
            }
        }
        Path listFile = Files.writeString(work.resolve("concat.txt"), list);
        run("ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", listFile.toString(), out.toString());
        return new Joined(out, seconds, transcript.toString().strip());
    }

    /** {@code toneSeconds} of the {@link MarkerTone}, then the recording, as 16 kHz mono FLAC. */
    static Path afterMarkerTone(SpeechSet.Recording recording, double toneSeconds, Path out) throws Exception {
        run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", MarkerTone.ffmpegSource(toneSeconds),
                "-i", recording.file().toString(),
                "-filter_complex", "[1:a]aformat=sample_rates=16000:channel_layouts=mono[s];[0:a][s]concat=n=2:v=0:a=1",
                out.toString());
        return out;
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
    }
}
