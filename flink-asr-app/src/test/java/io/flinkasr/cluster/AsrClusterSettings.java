package io.flinkasr.cluster;

import io.flinkasr.recognition.SharedVoskModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
     * Copies to {@code out} the lib jar that operators put into the cluster's lib/ folder (and the Dockerfile
     * into the image's), as the flink-asr-vosk-lib module builds it: {@link SharedVoskModel} with Vosk and JNA,
     * for {@link FlinkProcessCluster#start(Path, int, int, Map, java.util.List)}. Without it the class comes
     * from the job jar, into each job's own class loader, and each job (and each restart of it) would load and
     * keep a model of its own.
     */
    public static Path voskLibJar(Path out) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        return Files.copy(Path.of("flink-asr-vosk-lib", "target", "flink-asr-vosk-lib.jar"), out,
                StandardCopyOption.REPLACE_EXISTING);
    }
}
