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
    /** The prefix of system properties that add a Flink setting: {@code -Dflinkasr.cluster.KEY=VALUE}. */
    public static final String EXTRA_SETTING = "flinkasr.cluster.";

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
        // -Dflinkasr.cluster.KEY=VALUE on the command line: one more Flink setting for every cluster test, e.g.
        // containerized.taskmanager.env.LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 (jemalloc, as the
        // Flink image runs without DISABLE_JEMALLOC=true)
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith(EXTRA_SETTING))
                .forEach(name -> flink.put(name.substring(EXTRA_SETTING.length()), System.getProperty(name)));
        return flink;
    }

    /**
     * flink-conf/config.yaml's JobManager HA: Flink's ZooKeeper HA services with the quorum at
     * {@code zooKeeperQuorum} (host:port,...), job graphs, jars and checkpoint metadata under
     * {@code storageDir}, and the ZooKeeper session timeout after which a standby or restarted JobManager
     * takes over from a SIGKILLed one.
     */
    public static Map<String, String> highAvailability(String zooKeeperQuorum, Path storageDir) {
        Map<String, String> ha = new HashMap<>();
        ha.put("high-availability.type", "zookeeper");
        ha.put("high-availability.zookeeper.quorum", zooKeeperQuorum);
        ha.put("high-availability.storageDir", storageDir.toUri().toString());
        ha.put("high-availability.cluster-id", "/flink-asr");
        ha.put("high-availability.zookeeper.client.session-timeout", "5 s");
        ha.put("zookeeper.sasl.disable", "true");
        return ha;
    }

    /**
     * flink-conf/config.yaml's adaptive scheduler: a job runs on the slots there are (fewer after a
     * TaskManager is lost) and scales back up to its parallelism when slots return, without a restart by hand.
     */
    public static Map<String, String> adaptiveScheduler() {
        Map<String, String> adaptive = new HashMap<>();
        adaptive.put("jobmanager.scheduler", "adaptive");
        adaptive.put("jobmanager.adaptive-scheduler.submission.resource-wait-timeout", "1 d");
        adaptive.put("jobmanager.adaptive-scheduler.submission.resource-stabilization-timeout", "10 s");
        adaptive.put("jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling", "10 s");
        adaptive.put("jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout", "30 s");
        return adaptive;
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
