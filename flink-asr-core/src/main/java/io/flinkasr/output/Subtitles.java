package io.flinkasr.output;

import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts segments into subtitle cues that subtitle editors accept: at most {@link SubtitleLayout#maxLines()}
 * lines of at most {@link SubtitleLayout#maxLineWidth()} characters (balanced where it needs more than
 * one), at most {@link SubtitleLayout#maxSeconds()} on screen, at least {@link #MIN_SECONDS} where the
 * next cue leaves room, never overlapping. Cues are cut between words, by the words' times; a segment
 * without words is cut by characters, its time shared in proportion. A single word longer than a line
 * gets a line of its own.
 */
public final class Subtitles {
    public static final double MIN_SECONDS = 1.0;

    /** One cue: when it shows, its lines, and the words it shows (one per space-separated token, in order). */
    public record Cue(double from, double to, List<String> lines, List<Word> words) {}

    private Subtitles() {}

    public static List<Cue> cues(Segment[] segments) {
        return cues(segments, SubtitleLayout.DEFAULT);
    }

    public static List<Cue> cues(Segment[] segments, SubtitleLayout layout) {
        List<Cue> cues = new ArrayList<>();
        for (Segment s : segments) {
            Word[] words = s.words != null && s.words.length > 0 ? s.words : spread(s);
            int start = 0;
            while (start < words.length) {
                int end = start + 1;
                while (end < words.length && fits(words, start, end + 1, layout)) {
                    end++;
                }
                cues.add(cue(words, start, end, s.content, start == 0, layout));
                start = end;
            }
        }
        // a minimum time on screen where the next cue leaves room; never overlap
        for (int i = 0; i < cues.size(); i++) {
            Cue c = cues.get(i);
            double next = i + 1 < cues.size() ? cues.get(i + 1).from : Double.MAX_VALUE;
            double to = Math.min(Math.max(c.to, c.from + MIN_SECONDS), next);
            cues.set(i, new Cue(c.from, Math.max(to, c.from + 0.001), c.lines, c.words));
        }
        return cues;
    }

    private static boolean fits(Word[] words, int from, int to, SubtitleLayout layout) {
        if (words[to - 1].end - words[from].start > layout.maxSeconds()) {
            return false;
        }
        return lines(text(words, from, to, null, false), layout.maxLineWidth()).size() <= layout.maxLines();
    }

    private static Cue cue(Word[] words, int from, int to, String content, boolean first, SubtitleLayout layout) {
        String text = text(words, from, to, content, first);
        return new Cue(words[from].start, words[to - 1].end, lines(text, layout.maxLineWidth()),
                List.copyOf(Arrays.asList(words).subList(from, to)));
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

    /**
     * Breaks text into as few lines of at most {@code width} characters as it takes, as even as they can
     * be: the narrowest width that still needs no more lines than {@code width} does.
     */
    static List<String> lines(String text, int width) {
        List<String> tokens = List.of(text.split(" "));
        List<String> lines = fill(tokens, width);
        int longestWord = tokens.stream().mapToInt(String::length).max().orElse(0);
        int low = Math.max(1, longestWord);
        int high = width;
        while (low < high) {
            int mid = (low + high) / 2;
            if (fill(tokens, mid).size() <= lines.size()) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return high < width ? fill(tokens, high) : lines;
    }

    /** Greedy line filling: each line takes words while they fit (a longer word gets a line of its own). */
    private static List<String> fill(List<String> tokens, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : tokens) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
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
