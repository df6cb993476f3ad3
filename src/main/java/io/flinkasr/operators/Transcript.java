package io.flinkasr.operators;

import io.flinkasr.records.JobRequest;
import io.flinkasr.records.Segment;

/** How a recognised segment is shown to the user: capitalised, with words only when they were asked for. */
final class Transcript {
    private Transcript() {}

    static Segment finish(Segment s, JobRequest request) {
        String content = s.content.isEmpty()
                ? s.content
                : Character.toUpperCase(s.content.charAt(0)) + s.content.substring(1);
        return new Segment(content, round(s.from), round(s.to), request.wordLevel ? s.words : null);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
