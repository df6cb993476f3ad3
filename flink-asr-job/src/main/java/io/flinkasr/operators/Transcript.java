package io.flinkasr.operators;

import io.flinkasr.records.JobRequest;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How recognised utterances become the segments a user sees: an utterance longer than the job's
 * SentenceMaxLength (in words; {@link #DEFAULT_MAX_WORDS} when the job names none) is split into
 * near-equal parts at the longest pauses between its words; each segment starts with a capital letter;
 * times are rounded to the millisecond. Segments keep their words (subtitles are cut by them); the API
 * shows them only to jobs that asked for word-level results.
 */
final class Transcript {
    /** Keeps a segment readable as a two-line subtitle. */
    static final int DEFAULT_MAX_WORDS = 20;

    private Transcript() {}

    static List<Segment> finish(Segment s, JobRequest request) {
        int maxWords = request.sentenceMaxLength > 0 ? request.sentenceMaxLength : DEFAULT_MAX_WORDS;
        List<Segment> out = new ArrayList<>();
        if (s.words == null || s.words.length <= maxWords) {
            out.add(shown(s.content, s.from, s.to, s.words, request));
            return out;
        }
        Word[] words = s.words;
        int pieces = (words.length + maxWords - 1) / maxWords;
        int start = 0;
        while (words.length - start > maxWords) {
            int target = (words.length - start + pieces - 1) / pieces;
            int best = start + target;
            double bestScore = -1;
            for (int cut = start + Math.max(1, target / 2); cut <= start + maxWords; cut++) {
                double gap = words[cut].start - words[cut - 1].end;
                double score = gap - 0.001 * Math.abs(cut - (start + target));
                if (score > bestScore) {
                    bestScore = score;
                    best = cut;
                }
            }
            out.add(piece(words, start, best, request));
            start = best;
            pieces--;
        }
        out.add(piece(words, start, words.length, request));
        return out;
    }

    private static Segment piece(Word[] words, int from, int to, JobRequest request) {
        Word[] part = Arrays.copyOfRange(words, from, to);
        StringBuilder text = new StringBuilder();
        for (Word w : part) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(w.word);
        }
        return shown(text.toString(), part[0].start, part[part.length - 1].end, part, request);
    }

    private static Segment shown(String content, double from, double to, Word[] words, JobRequest request) {
        String text = content.isEmpty() ? content : Character.toUpperCase(content.charAt(0)) + content.substring(1);
        Word[] kept = null;
        if (words != null) {
            kept = new Word[words.length];
            for (int i = 0; i < words.length; i++) {
                Word w = words[i];
                kept[i] = new Word(w.word, round(w.start), round(w.end), Math.round(w.conf * 1000) / 1000.0);
            }
        }
        return new Segment(text, round(from), round(to), kept);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
