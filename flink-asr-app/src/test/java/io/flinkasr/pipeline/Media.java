package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.bench.JoinedSpeech;
import io.flinkasr.bench.Recording;
import io.flinkasr.recognition.MarkerTone;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test media made with real ffmpeg from the shared recordings. */
final class Media {
    private Media() {}

    /** What {@link #joined} made: the file, its length and what is said in it. */
    record Joined(Path file, double seconds, String transcript) {}

    /**
     * The recordings one after another, {@code rounds} times, each followed by {@code gap} seconds of
     * silence, as 16 kHz mono FLAC ({@link JoinedSpeech}, which the bench command uses too).
     */
    static Joined joined(List<SpeechSet.Recording> recordings, int rounds, double gap, Path work, Path out) throws Exception {
        List<Recording> sequence = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (SpeechSet.Recording r : recordings) {
                sequence.add(new Recording(r.file(), r.seconds(), r.transcript()));
            }
        }
        JoinedSpeech joined = JoinedSpeech.join("ffmpeg", sequence, gap, work, out);
        return new Joined(joined.file(), joined.seconds(), joined.transcript());
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
