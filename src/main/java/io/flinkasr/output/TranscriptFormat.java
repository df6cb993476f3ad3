package io.flinkasr.output;

import io.flinkasr.records.Json;
import io.flinkasr.records.Segment;
import java.util.Locale;

/**
 * The forms a finished transcript is given in: plain text (segments joined by spaces), the segments as
 * JSON, and SRT and WebVTT subtitles cut into readable cues ({@link Subtitles}).
 */
public enum TranscriptFormat {
    text,
    json,
    srt,
    vtt;

    public String render(Segment[] segments) {
        StringBuilder out = new StringBuilder();
        switch (this) {
            case text -> {
                for (Segment s : segments) {
                    if (out.length() > 0) {
                        out.append(' ');
                    }
                    out.append(s.content);
                }
            }
            case json -> {
                try {
                    out.append(Json.MAPPER.writeValueAsString(segments));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            case srt, vtt -> {
                if (this == vtt) {
                    out.append("WEBVTT\n\n");
                }
                int n = 1;
                for (Subtitles.Cue cue : Subtitles.cues(segments)) {
                    if (this == srt) {
                        out.append(n).append('\n');
                    }
                    n++;
                    out.append(timestamp(cue.from())).append(" --> ").append(timestamp(cue.to())).append('\n');
                    out.append(String.join("\n", cue.lines())).append("\n\n");
                }
            }
        }
        return out.toString();
    }

    private String timestamp(double seconds) {
        long ms = Math.round(seconds * 1000);
        return String.format(Locale.ROOT, "%02d:%02d:%02d%s%03d",
                ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, this == srt ? "," : ".", ms % 1000);
    }
}
