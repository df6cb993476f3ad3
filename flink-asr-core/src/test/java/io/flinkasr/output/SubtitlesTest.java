package io.flinkasr.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

        assertReadable(cues, SubtitleLayout.DEFAULT);
        assertThat(cues).anySatisfy(c -> assertThat(c.lines()).hasSize(2));
        // the short word stays on screen longer, up to where the next cue starts (0.5 s later)
        Subtitles.Cue shortCue = cues.stream().filter(c -> c.lines().get(0).equals("Short")).findFirst().orElseThrow();
        assertThat(shortCue.to() - shortCue.from()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.001));
    }

    @ParameterizedTest(name = "{0} characters, {1} lines, {2} s")
    @CsvSource({"42, 2, 7", "20, 1, 7", "32, 3, 7", "42, 2, 2.5", "16, 1, 1", "60, 4, 20"})
    void everyLayoutIsKeptAndKeepsEveryWordInOrder(int width, int lines, double seconds) {
        SubtitleLayout layout = new SubtitleLayout(width, lines, seconds);
        List<Subtitles.Cue> cues = Subtitles.cues(TALK, layout);

        assertReadable(cues, layout);
        // a cue is cut only where the next word would not fit: no cue could have taken the next one's first word
        for (int i = 0; i + 1 < cues.size(); i++) {
            Subtitles.Cue c = cues.get(i);
            Word next = cues.get(i + 1).words().get(0);
            Word last = c.words().get(c.words().size() - 1);
            boolean sameSegment = Arrays.stream(TALK).anyMatch(s -> List.of(s.words).contains(last) && List.of(s.words).contains(next));
            if (sameSegment) {
                String joined = String.join(" ", c.lines()) + " " + next.word;
                boolean tooLong = next.end - c.words().get(0).start > seconds
                        || Subtitles.lines(joined, width).size() > lines;
                assertThat(tooLong).as("cue %d could have taken '%s'", i, next.word).isTrue();
            }
        }
    }

    @Test
    void moreCharactersALineMeanFewerCues() {
        int narrow = Subtitles.cues(TALK, new SubtitleLayout(20, 2, 60)).size();
        int wide = Subtitles.cues(TALK, new SubtitleLayout(80, 2, 60)).size();
        int threeLines = Subtitles.cues(TALK, new SubtitleLayout(20, 3, 60)).size();
        assertThat(wide).isLessThan(narrow);
        assertThat(threeLines).isLessThan(narrow);
        assertThat(Subtitles.cues(TALK, new SubtitleLayout(80, 2, 2)).size()).as("2 s a cue at most").isGreaterThan(wide);
    }

    @Test
    void linesAreBalanced() {
        assertThat(Subtitles.lines("Ask not what your country can do for you ask what you can do", 42))
                .containsExactly("Ask not what your country can", "do for you ask what you can do");
        assertThat(Subtitles.lines("one two three four five six seven eight nine", 20))
                .containsExactly("one two three", "four five six", "seven eight nine");
        assertThat(Subtitles.lines("short", 42)).containsExactly("short");
        assertThat(Subtitles.lines("a supercalifragilisticexpialidocious word", 10))
                .as("a word longer than a line gets one of its own")
                .containsExactly("a", "supercalifragilisticexpialidocious", "word");
    }

    @Test
    void layoutsOutsideTheLimitsAreRefused() {
        assertThatThrownBy(() -> new SubtitleLayout(5, 2, 7)).hasMessageContaining("line width");
        assertThatThrownBy(() -> new SubtitleLayout(42, 0, 7)).hasMessageContaining("line count");
        assertThatThrownBy(() -> new SubtitleLayout(42, 2, 0.5)).hasMessageContaining("seconds");
    }

    private static void assertReadable(List<Subtitles.Cue> cues, SubtitleLayout layout) {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < cues.size(); i++) {
            Subtitles.Cue c = cues.get(i);
            assertThat(c.lines()).hasSizeBetween(1, layout.maxLines());
            assertThat(c.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(layout.maxLineWidth()));
            assertThat(c.words().get(c.words().size() - 1).end - c.from()).isLessThanOrEqualTo(layout.maxSeconds() + 1e-9);
            assertThat(c.to() - c.from()).isPositive();
            if (i + 1 < cues.size()) {
                assertThat(c.to()).isLessThanOrEqualTo(cues.get(i + 1).from());
            }
            List<String> tokens = new ArrayList<>();
            for (String line : c.lines()) {
                tokens.addAll(List.of(line.split(" ")));
            }
            assertThat(tokens).hasSameSizeAs(c.words());
            shown.addAll(tokens);
        }
        List<String> spoken = new ArrayList<>();
        for (Segment s : TALK) {
            spoken.addAll(List.of(s.content.split(" ")));
        }
        assertThat(shown).isEqualTo(spoken);
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
