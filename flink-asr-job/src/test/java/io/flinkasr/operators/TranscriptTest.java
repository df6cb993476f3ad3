package io.flinkasr.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.records.JobRequest;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranscriptTest {

    /** n words of 0.3 s each, 0.05 s apart, with a long pause (0.8 s) before each index in {@code pausesBefore}. */
    private static Segment utterance(int n, int... pausesBefore) {
        Word[] words = new Word[n];
        double t = 10;
        for (int i = 0; i < n; i++) {
            for (int p : pausesBefore) {
                if (p == i) {
                    t += 0.8;
                }
            }
            words[i] = new Word("w" + i, t, t + 0.3, 0.9);
            t += 0.35;
        }
        StringBuilder text = new StringBuilder();
        for (Word w : words) {
            text.append(text.length() == 0 ? "" : " ").append(w.word);
        }
        return new Segment(text.toString(), words[0].start, words[n - 1].end, words);
    }

    private static JobRequest request(int maxWords, boolean words) {
        JobRequest r = new JobRequest();
        r.sentenceMaxLength = maxWords;
        r.wordLevel = words;
        return r;
    }

    @Test
    void aShortUtteranceStaysWholeAndCapitalised() {
        List<Segment> out = Transcript.finish(new Segment("ask not", 1.23456, 2.5, null), request(0, false));

        assertThat(out).singleElement().satisfies(s -> {
            assertThat(s.content).isEqualTo("Ask not");
            assertThat(s.from).isEqualTo(1.235);
        });
    }

    @Test
    void splitsAtTheLongestPausesIntoNearEqualParts() {
        List<Segment> out = Transcript.finish(utterance(12, 4, 7), request(5, false));

        assertThat(out).extracting(s -> s.content).containsExactly("W0 w1 w2 w3", "W4 w5 w6", "W7 w8 w9 w10 w11");
        assertThat(out).extracting(s -> s.words.length).containsExactly(4, 3, 5);
        for (int i = 1; i < out.size(); i++) {
            assertThat(out.get(i).from).isGreaterThan(out.get(i - 1).to);
        }
    }

    @Test
    void neverExceedsTheLimitAndKeepsEveryWordOnce() {
        for (int max = 4; max <= 50; max++) {
            List<Segment> out = Transcript.finish(utterance(101), request(max, true));
            int total = 0;
            for (Segment s : out) {
                assertThat(s.words.length).isBetween(1, max);
                total += s.words.length;
            }
            assertThat(total).isEqualTo(101);
        }
    }

    @Test
    void theDefaultCapKeepsSubtitlesReadable() {
        assertThat(Transcript.finish(utterance(45), request(0, false))).hasSize(3);
    }
}
