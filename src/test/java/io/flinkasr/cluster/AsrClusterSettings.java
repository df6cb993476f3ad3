package io.flinkasr.cluster;

import java.util.HashMap;
import java.util.Map;

/** The Flink settings the cluster tests run flink-asr's job with: those of flink-conf/config.yaml that matter here. */
public final class AsrClusterSettings {
    private AsrClusterSettings() {}

    public static Map<String, String> flink(String checkpointInterval) {
        Map<String, String> flink = new HashMap<>();
        flink.put("execution.checkpointing.interval", checkpointInterval);
        flink.put("execution.checkpointing.unaligned.enabled", "true");
        flink.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        flink.put("classloader.parent-first-patterns.additional", "org.vosk;com.sun.jna;io.flinkasr.recognition.SharedVoskModel");
        flink.put("restart-strategy.type", "exponential-delay");
        flink.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        flink.put("restart-strategy.exponential-delay.backoff-multiplier", "2.0");
        flink.put("restart-strategy.exponential-delay.jitter-factor", "0.1");
        return flink;
    }
}
