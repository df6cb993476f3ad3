package io.flinkasr.cluster;

import io.flinkasr.recognition.SharedVoskModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The Flink settings the cluster tests run flink-asr's job with: those of flink-conf/config.yaml that matter here. */
public final class AsrClusterSettings {
    private AsrClusterSettings() {}

    public static Map<String, String> flink(String checkpointInterval) {
        Map<String, String> flink = new HashMap<>();
        flink.put("execution.checkpointing.interval", checkpointInterval);
        flink.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        flink.put("classloader.parent-first-patterns.additional", "org.vosk;com.sun.jna;io.flinkasr.recognition.SharedVoskModel");
        flink.put("restart-strategy.type", "exponential-delay");
        flink.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        flink.put("restart-strategy.exponential-delay.backoff-multiplier", "2.0");
        flink.put("restart-strategy.exponential-delay.jitter-factor", "0.1");
        return flink;
    }

    /**
     * Writes {@code out}: the jar with {@link SharedVoskModel} that the Dockerfile puts into the cluster's
     * lib/ folder, for {@link FlinkProcessCluster#start(Path, int, int, Map, java.util.List)}. Without it
     * the class comes from the job jar, into each job's own class loader, and each job (and each restart
     * of it) would load and keep a model of its own. (Vosk and JNA, which the Dockerfile puts into the same jar,
     * are on the cluster's class path already, from the test class path.)
     */
    public static Path voskLibJar(Path out) throws IOException {
        return JobJars.build(out, null, SharedVoskModel.class);
    }
}
