package io.flinkasr.bench;

import java.util.List;

/**
 * How much one run measures.
 *
 * @param quick a smoke-test run: too small for its figures to mean much
 * @param recordingsPerRound how many of the recordings (the longest first) go into the batch as they are
 * @param recordingRounds how many times each of them is submitted
 * @param joinedSeconds the lengths of the longer batch inputs joined from the recordings (each at least this)
 * @param longRounds rounds of all the recordings (3 s apart) in the long input run alone
 * @param loadSeconds the length of the long input recognised while the clip latency is measured under load
 * @param idleClipRuns clip runs on the idle stack
 * @param loadedClipRuns clip runs beside the long input
 * @param pairs interleaved (raw, pipeline) pairs of the long input alone
 */
public record BenchPlan(
        boolean quick,
        int recordingsPerRound,
        int recordingRounds,
        List<Double> joinedSeconds,
        int longRounds,
        double loadSeconds,
        int idleClipRuns,
        int loadedClipRuns,
        int pairs) {

    /**
     * 30 jobs and 921 s (15.3 minutes) of speech in the batch: the 8 recordings (4.7-35.5 s) three times and six
     * joined files of 79-177 s; a 330 s long input (3 pairs), a one-hour load, 20 clip runs idle and 20 loaded.
     */
    public static final BenchPlan DEFAULT =
            new BenchPlan(false, 8, 3, List.of(60.0, 70.0, 80.0, 100.0, 120.0, 150.0), 3, 3600, 20, 20, 3);

    /** 6 jobs of about 2 minutes, a 2-minute long input, a 10-minute load, 5 clip runs each, one pair. */
    public static final BenchPlan QUICK = new BenchPlan(true, 5, 1, List.of(60.0), 1, 600, 5, 5, 1);

    public static final double LONG_GAP_SECONDS = 3.0;
    public static final double LOAD_GAP_SECONDS = 1.0;

    public BenchPlan {
        if (recordingsPerRound < 1 || recordingRounds < 1 || longRounds < 1 || pairs < 1
                || idleClipRuns < 1 || loadedClipRuns < 1 || !(loadSeconds > 0)) {
            throw new IllegalArgumentException("every count of a bench plan must be at least 1");
        }
        joinedSeconds = List.copyOf(joinedSeconds);
    }
}
