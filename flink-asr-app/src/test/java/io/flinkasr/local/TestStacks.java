package io.flinkasr.local;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.testing.FreePorts;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;

/** The configurations the integration tests and benchmarks start their local stacks with. */
public final class TestStacks {
    private TestStacks() {}

    /**
     * Default settings, the real model from the build, media read from these roots: what a user runs. System
     * properties named {@code asr.*}, {@code taskmanager.*} or {@code execution.*} (e.g. {@code mvn verify
     * -Pbench -Dasr.chunk.context-seconds=0}) override the defaults, so a benchmark can be repeated with
     * other settings.
     */
    public static Configuration asUsersRunIt(Path... mediaRoots) {
        Configuration config = new Configuration();
        config.set(AsrOptions.MODEL_PATH, System.getProperty("flinkasr.model.path"));
        config.set(AsrOptions.MEDIA_ROOTS, Arrays.stream(mediaRoots).map(Path::toString).toList());
        System.getProperties().stringPropertyNames().stream()
                .filter(TestStacks::isSetting)
                .forEach(name -> config.setString(name, System.getProperty(name)));
        return config;
    }

    /** Whether a system property is a flink-asr or Flink setting for {@link #asUsersRunIt}. */
    public static boolean isSetting(String name) {
        return name.startsWith("asr.") || name.startsWith("taskmanager.") || name.startsWith("execution.");
    }

    /**
     * As users run it, at parallelism 2 with 2 partitions: the shape every pipeline ITCase checks. A test
     * that names Flink's REST port itself sets it after this.
     */
    public static Configuration atParallelismTwo(Path... mediaRoots) {
        Configuration config = asUsersRunIt(mediaRoots);
        config.set(AsrOptions.TOPIC_PARTITIONS, 2);
        config.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        // a free port for Flink's REST endpoint, not the local stack's first free one from 8081: the stacks of
        // tests that run at the same time on one machine raced for that one, and one lost (BindException)
        config.set(RestOptions.BIND_PORT, String.valueOf(FreePorts.one()));
        return config;
    }
}
