package io.flinkasr.cli;

import java.util.Locale;

/**
 * The API's start, told on the console while its job table reads the topics: how many records are left, how
 * fast they go, and about how long that takes (a new replica of a million jobs reads for minutes).
 */
final class CatchUpProgress {
    private long lastBehind = -1;
    private long lastAt;

    void print(long behind) {
        long now = System.nanoTime();
        String rate = "";
        if (lastBehind >= 0 && behind >= 0 && now > lastAt) {
            double perSecond = (lastBehind - behind) * 1e9 / (now - lastAt);
            if (perSecond > 0) {
                rate = String.format(Locale.ROOT, ", %,.0f/s, about %s left", perSecond, duration(Math.round(behind / perSecond)));
            }
        }
        System.out.println(behind < 0 ? "flink-asr API: looking for the job topics' ends"
                : String.format(Locale.ROOT, "flink-asr API: reading the job topics, %,d records to go%s", behind, rate));
        lastBehind = behind;
        lastAt = now;
    }

    static String duration(long seconds) {
        return seconds < 60 ? seconds + " s" : seconds < 3600 ? (seconds / 60) + " min " + (seconds % 60) + " s"
                : (seconds / 3600) + " h " + (seconds % 3600 / 60) + " min";
    }
}
