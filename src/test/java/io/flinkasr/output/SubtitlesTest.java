package io.flinkasr.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubtitlesTest {
    @TempDir Path dir;

    /** A long utterance: n words, 0.4 s each, starting at {@code at}. */
    private static Segment speech(double at, int n) {
        Word[] words = new Word[n];
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String w = i % 5 == 0 ? "extraordinarily" : "word" + i;
            words[i] = new Word(w, at + 0.4 * i, at + 0.4 * i + 0.35, 0.9);
            text.append(text.length() == 0 ? "" : " ").append(w);
        }
        text.setCharAt(0, Character.toUpperCase(text.charAt(0)));
        return new Segment(text.toString(), words[0].start, words[n - 1].end, words);
    }

    private static final Segment[] TALK = {
        speech(0.5, 80), new Segment("Short", 40.0, 40.2, new Word[] {new Word("short", 40.0, 40.2, 1)}), speech(40.5, 12)
    };

    @Test
    void cuesAreReadableAndKeepEveryWordInOrder() {
        List<Subtitles.Cue> cues = Subtitles.cues(TALK);

        List<String> shown = new ArrayList<>();
        for (int i = 0; i < cues.size(); i++) {
            Subtitles.Cue c = cues.get(i);
            assertThat(c.lines()).hasSizeBetween(1, Subtitles.MAX_LINES);
            assertThat(c.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(Subtitles.MAX_LINE));
            assertThat(c.to() - c.from()).isLessThanOrEqualTo(Subtitles.MAX_SECONDS + 1e-9).isPositive();
            if (i + 1 < cues.size()) {
                assertThat(c.to()).isLessThanOrEqualTo(cues.get(i + 1).from());
            }
            for (String line : c.lines()) {
                shown.addAll(List.of(line.split(" ")));
            }
        }
        List<String> spoken = new ArrayList<>();
        for (Segment s : TALK) {
            spoken.addAll(List.of(s.content.split(" ")));
        }
        assertThat(shown).isEqualTo(spoken);
        // the short word stays on screen longer, up to where the next cue starts (0.5 s later)
        Subtitles.Cue shortCue = cues.stream().filter(c -> c.lines().get(0).equals("Short")).findFirst().orElseThrow();
        assertThat(shortCue.to() - shortCue.from()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void ffmpegReadsTheSrtAndVttBackCueForCue() throws Exception {
        int cues = Subtitles.cues(TALK).size();
        for (TranscriptFormat format : List.of(TranscriptFormat.srt, TranscriptFormat.vtt)) {
            Path file = Files.writeString(dir.resolve("talk." + format.name()), format.render(TALK), StandardCharsets.UTF_8);
            Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-show_entries", "packet=pts_time",
                    "-of", "csv=p=0", file.toString()).redirectErrorStream(true).start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(probe.waitFor()).as("ffprobe on %s: %s", format, out).isZero();
            assertThat(out.strip().split("\n")).as("%s cues as ffmpeg reads them", format).hasSize(cues);
            assertThat(Double.parseDouble(out.strip().split("\n")[0])).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.001));
        }
    }
}
