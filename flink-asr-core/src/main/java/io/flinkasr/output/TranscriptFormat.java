package io.flinkasr.output;

import io.flinkasr.records.Json;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The forms a finished transcript is given in: plain text (segments joined by spaces), the segments as
 * JSON, and SRT and WebVTT subtitles cut into readable cues ({@link Subtitles}, laid out by a
 * {@link SubtitleLayout}).
 *
 * <p>With word timestamps: text gives each segment on a line of its own with its time, then each word
 * with its time; JSON keeps each segment's {@code words}; WebVTT marks each word's start with a cue
 * timestamp tag ({@code <00:00:01.250>}, as karaoke-style captions do); SRT has no such tag and is
 * unchanged.
 *
 * <p>WebVTT cue text escapes {@code &}, {@code <} and {@code >} as the WebVTT spec requires. SRT has no
 * escape syntax (players read its text as is), so SRT text is written as recognised.
 */
public enum TranscriptFormat {
    text,
    json,
    srt,
    vtt;

    public String render(Segment[] segments) {
        return render(segments, SubtitleLayout.DEFAULT, false);
    }

    public String render(Segment[] segments, SubtitleLayout layout, boolean wordTimestamps) {
        StringBuilder out = new StringBuilder();
        switch (this) {
            case text -> {
                if (wordTimestamps) {
                    for (Segment s : segments) {
                        out.append('[').append(clock(s.from, '.')).append(" --> ").append(clock(s.to, '.')).append("] ")
                                .append(s.content).append('\n');
                        for (Word w : s.words == null ? new Word[0] : s.words) {
                            out.append("    ").append(clock(w.start, '.')).append(" --> ").append(clock(w.end, '.'))
                                    .append("  ").append(w.word).append('\n');
                        }
                    }
                    break;
                }
                for (Segment s : segments) {
                    if (out.length() > 0) {
                        out.append(' ');
                    }
                    out.append(s.content);
                }
            }
            case json -> {
                Segment[] shown = wordTimestamps ? segments
                        : Arrays.stream(segments).map(s -> new Segment(s.content, s.from, s.to, null)).toArray(Segment[]::new);
                try {
                    out.append(Json.MAPPER.writeValueAsString(shown));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            case srt, vtt -> {
                if (this == vtt) {
                    out.append("WEBVTT\n\n");
                }
                int n = 1;
                for (Subtitles.Cue cue : Subtitles.cues(segments, layout)) {
                    if (this == srt) {
                        out.append(n).append('\n');
                    }
                    n++;
                    out.append(timestamp(cue.from())).append(" --> ").append(timestamp(cue.to())).append('\n');
                    out.append(this == vtt ? vttText(cue, wordTimestamps) : String.join("\n", cue.lines())).append("\n\n");
                }
            }
        }
        return out.toString();
    }

    /** A cue's lines as WebVTT cue text: escaped, and with a timestamp tag before every word but the first. */
    private static String vttText(Subtitles.Cue cue, boolean wordTimestamps) {
        StringBuilder b = new StringBuilder();
        List<Word> words = cue.words();
        int w = 0;
        for (String line : cue.lines()) {
            if (b.length() > 0) {
                b.append('\n');
            }
            String[] tokens = line.split(" ");
            for (int t = 0; t < tokens.length; t++) {
                if (t > 0) {
                    b.append(' ');
                }
                if (wordTimestamps && w > 0 && w < words.size()) {
                    b.append('<').append(clock(words.get(w).start, '.')).append('>');
                }
                b.append(escapeVtt(tokens[t]));
                w++;
            }
        }
        return b.toString();
    }

    /** WebVTT cue text: {@code &}, {@code <} and {@code >} as character references. */
    static String escapeVtt(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private String timestamp(double seconds) {
        return clock(seconds, this == srt ? ',' : '.');
    }

    private static String clock(double seconds, char fraction) {
        long ms = Math.round(seconds * 1000);
        return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d",
                ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, fraction, ms % 1000);
    }
}
