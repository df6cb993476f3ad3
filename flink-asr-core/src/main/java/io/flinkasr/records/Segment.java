package io.flinkasr.records;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One line of a transcript, as ICE's AiResult has it: {@code {"content", "from", "to"}} with times in
 * seconds, absolute in the source media. {@code words} is only filled when the job asked for
 * word-level results.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Segment {
    public String content;
    public double from;
    public double to;
    public Word[] words;

    public Segment() {}

    public Segment(String content, double from, double to, Word[] words) {
        this.content = content;
        this.from = from;
        this.to = to;
        this.words = words;
    }

    @Override
    public String toString() {
        return "[" + from + "-" + to + "] " + content;
    }
}
