package io.flinkasr.output;

import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts segments into subtitle cues that subtitle editors accept: at most two lines of at most
 * {@link #MAX_LINE} characters, at most {@link #MAX_SECONDS} on screen, at least {@link #MIN_SECONDS}
 * where the next cue leaves room, never overlapping. Cues are cut between words, by the words' times;
 * a segment without words is cut by characters, its time shared in proportion.
 */
public final class Subtitles {
    public static final int MAX_LINE = 42;
    public static final int MAX_LINES = 2;
    public static final double MAX_SECONDS = 7.0;
    public static final double MIN_SECONDS = 1.0;

    /** One cue: when it shows and its lines. */
    public record Cue(double from, double to, List<String> lines) {}

    private Subtitles() {}

    public static List<Cue> cues(Segment[] segments) {
        List<Cue> cues = new ArrayList<>();
        for (Segment s : segments) {
            Word[] words = s.words != null && s.words.length > 0 ? s.words : spread(s);
            int start = 0;
            while (start < words.length) {
                int end = start + 1;
                while (end < words.length && fits(words, start, end + 1)) {
                    end++;
                }
                cues.add(cue(words, start, end, s.content, start == 0));
                start = end;
            }
        }
        // a minimum time on screen where the next cue leaves room; never overlap
        for (int i = 0; i < cues.size(); i++) {
            Cue c = cues.get(i);
            double next = i + 1 < cues.size() ? cues.get(i + 1).from : Double.MAX_VALUE;
            double to = Math.min(Math.max(c.to, c.from + MIN_SECONDS), next);
            cues.set(i, new Cue(c.from, Math.max(to, c.from + 0.001), c.lines));
        }
        return cues;
    }

    private static boolean fits(Word[] words, int from, int to) {
        if (words[to - 1].end - words[from].start > MAX_SECONDS) {
            return false;
        }
        return lines(text(words, from, to, null, false)).size() <= MAX_LINES;
    }

    private static Cue cue(Word[] words, int from, int to, String content, boolean first) {
        String text = text(words, from, to, content, first);
        return new Cue(words[from].start, words[to - 1].end, lines(text));
    }

    /** The words as shown: the segment's own capital letter at its start. */
    private static String text(Word[] words, int from, int to, String content, boolean first) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append(b.length() == 0 ? "" : " ").append(words[i].word);
        }
        if (first && content != null && !content.isEmpty() && b.length() > 0) {
            b.setCharAt(0, content.charAt(0));
        }
        return b.toString();
    }

    /** Breaks text into lines of at most MAX_LINE characters, two lines balanced where it needs two. */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        if (text.length() <= MAX_LINE) {
            lines.add(text);
            return lines;
        }
        int best = -1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ' && i <= MAX_LINE && text.length() - i - 1 <= MAX_LINE
                    && (best < 0 || Math.abs(text.length() / 2 - i) < Math.abs(text.length() / 2 - best))) {
                best = i;
            }
        }
        if (best > 0) {
            lines.add(text.substring(0, best));
            lines.add(text.substring(best + 1));
            return lines;
        }
        // too long for two lines: greedy, so that the caller sees more than MAX_LINES and cuts earlier
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > MAX_LINE) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    /** Words for a segment that has none: its text's words, its time shared by their lengths. */
    private static Word[] spread(Segment s) {
        String[] tokens = s.content.strip().split("\\s+");
        double chars = 0;
        for (String t : tokens) {
            chars += t.length() + 1;
        }
        Word[] words = new Word[tokens.length];
        double at = s.from;
        for (int i = 0; i < tokens.length; i++) {
            double length = (s.to - s.from) * (tokens[i].length() + 1) / chars;
            words[i] = new Word(tokens[i], at, at + length, 1);
            at += length;
        }
        return words;
    }
}
