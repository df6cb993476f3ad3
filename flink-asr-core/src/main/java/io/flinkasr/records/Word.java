package io.flinkasr.records;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One recognised word with its absolute start and end in the source media (seconds) and Vosk's confidence. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Word {
    public String word;
    public double start;
    public double end;
    public double conf;

    public Word() {}

    public Word(String word, double start, double end, double conf) {
        this.word = word;
        this.start = start;
        this.end = end;
        this.conf = conf;
    }

    @Override
    public String toString() {
        return word + "@" + start + "-" + end;
    }
}
