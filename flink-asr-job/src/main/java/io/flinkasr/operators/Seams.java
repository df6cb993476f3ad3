package io.flinkasr.operators;

import io.flinkasr.records.ChunkResult;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins the segments of consecutive chunks. Chunks cut in a pause simply follow each other. Where a cut
 * had no pause, the later chunk starts {@code overlap} seconds early, so the words around the cut were
 * heard twice, each time with context on one side only; the seam is placed in the middle of the
 * overlap, and each word is kept from the chunk on whose side of the seam its middle lies. That keeps
 * every word once and takes each from the chunk that heard more around it. A chunk may also start with
 * a few seconds of context ({@code lead}) that the previous chunk holds whole: the seam then moves past
 * it, and the context's words come from the previous chunk.
 */
final class Seams {
    private Seams() {}

    /** The segments of the chunks, in order, each word once. */
    static List<Segment> join(List<ChunkResult> ordered) {
        List<List<Segment>> perChunk = new ArrayList<>();
        for (ChunkResult r : ordered) {
            perChunk.add(new ArrayList<>(List.of(r.segments)));
        }
        for (int i = 1; i < ordered.size(); i++) {
            ChunkResult later = ordered.get(i);
            if (later.overlap <= 0 && later.lead <= 0) {
                continue;
            }
            double seam = later.offset + later.lead + later.overlap / 2;
            perChunk.set(i - 1, keep(perChunk.get(i - 1), Double.NEGATIVE_INFINITY, seam));
            perChunk.set(i, keep(perChunk.get(i), seam, Double.POSITIVE_INFINITY));
        }
        List<Segment> joined = new ArrayList<>();
        perChunk.forEach(joined::addAll);
        return joined;
    }

    /** The segments cut down to the words whose middle lies in [from, to); segments left empty are dropped. */
    private static List<Segment> keep(List<Segment> segments, double from, double to) {
        List<Segment> kept = new ArrayList<>();
        for (Segment s : segments) {
            if (s.words == null || s.words.length == 0) {
                double middle = (s.from + s.to) / 2;
                if (middle >= from && middle < to) {
                    kept.add(s);
                }
                continue;
            }
            List<Word> words = new ArrayList<>();
            for (Word w : s.words) {
                double middle = (w.start + w.end) / 2;
                if (middle >= from && middle < to) {
                    words.add(w);
                }
            }
            if (words.size() == s.words.length) {
                kept.add(s);
            } else if (!words.isEmpty()) {
                StringBuilder text = new StringBuilder();
                for (Word w : words) {
                    text.append(text.length() == 0 ? "" : " ").append(w.word);
                }
                kept.add(new Segment(text.toString(), words.get(0).start, words.get(words.size() - 1).end, words.toArray(new Word[0])));
            }
        }
        return kept;
    }
}
