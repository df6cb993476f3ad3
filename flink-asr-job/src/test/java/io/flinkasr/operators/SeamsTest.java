package io.flinkasr.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.records.ChunkResult;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeamsTest {

    private static ChunkResult chunk(int seq, double offset, double overlap, Word... words) {
        ChunkResult r = new ChunkResult();
        r.seq = seq;
        r.offset = offset;
        r.overlap = overlap;
        StringBuilder text = new StringBuilder();
        for (Word w : words) {
            text.append(text.length() == 0 ? "" : " ").append(w.word);
        }
        r.segments = new Segment[] {new Segment(text.toString(), words[0].start, words[words.length - 1].end, words)};
        return r;
    }

    private static Word w(String word, double start, double end) {
        return new Word(word, start, end, 0.9);
    }

    private static List<String> words(List<Segment> segments) {
        List<String> all = new ArrayList<>();
        for (Segment s : segments) {
            for (Word word : s.words) {
                all.add(word.word);
            }
        }
        return all;
    }

    @Test
    void wordsHeardTwiceInAnOverlapAreKeptOnce() {
        // chunk 1 covers 0-20 s; chunk 2 starts at 18.5 s (1.5 s overlap), so the seam is at 19.25 s
        ChunkResult first = chunk(0, 0, 0, w("one", 17.0, 17.4), w("two", 18.6, 19.0), w("thr", 19.6, 19.99));
        ChunkResult second = chunk(1, 18.5, 1.5, w("wo", 18.5, 18.9), w("two", 18.62, 19.02), w("three", 19.6, 20.0), w("four", 20.5, 21.0));

        List<Segment> joined = Seams.join(List.of(first, second));

        assertThat(words(joined)).containsExactly("one", "two", "three", "four");
        assertThat(joined.get(0).content).isEqualTo("one two");
        assertThat(joined.get(1).content).isEqualTo("three four");
        assertThat(joined.get(1).from).isEqualTo(19.6);
    }

    @Test
    void theContextAChunkStartsWithIsTheEarlierChunksWords() {
        // chunk 2 holds 17-20 s as context (lead 3 s) before its own audio from the cut at 20 s
        ChunkResult first = chunk(0, 0, 0, w("one", 17.2, 17.6), w("two", 18.0, 19.5));
        ChunkResult second = chunk(1, 17.0, 0, w("won", 17.1, 17.6), w("two", 18.0, 19.4), w("three", 20.3, 20.8));
        second.lead = 3.0;

        assertThat(words(Seams.join(List.of(first, second)))).containsExactly("one", "two", "three");
    }

    @Test
    void chunksCutInAPauseAreJoinedAsTheyAre() {
        ChunkResult first = chunk(0, 0, 0, w("a", 1, 2));
        ChunkResult second = chunk(1, 20, 0, w("b", 20.1, 20.5));

        assertThat(words(Seams.join(List.of(first, second)))).containsExactly("a", "b");
    }
}
