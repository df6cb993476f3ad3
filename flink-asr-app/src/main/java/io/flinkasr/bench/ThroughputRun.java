package io.flinkasr.bench;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One batch recognised: how much audio, how long it took from the start to the last result, and the CPU
 * the process spent meanwhile (null where it was not measured).
 *
 * @param kind what recognised it: raw Vosk warm or naive, or flink-asr
 * @param parallelism threads (raw) or the pipeline's parallelism (null: a deployment's, unknown)
 */
public record ThroughputRun(String kind, Integer parallelism, double audioSeconds, double wallSeconds, Double cpuSeconds) {
    public static final String RAW_WARM = "raw Vosk, warm";
    public static final String RAW_NAIVE = "raw Vosk, naive";
    public static final String PIPELINE = "flink-asr";

    /** Audio seconds per wall second. */
    @JsonProperty("audioSecondsPerWallSecond")
    public double speed() {
        return audioSeconds / wallSeconds;
    }

    /** CPU seconds per audio second, or null. */
    @JsonProperty("cpuSecondsPerAudioSecond")
    public Double cpuPerAudioSecond() {
        return cpuSeconds == null ? null : cpuSeconds / audioSeconds;
    }
}
