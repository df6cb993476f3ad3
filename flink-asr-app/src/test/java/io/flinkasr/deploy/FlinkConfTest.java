package io.flinkasr.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.junit.jupiter.api.Test;

/**
 * The TaskManagers of flink-conf/config.yaml, as Flink itself reads that file: their memory adds up in Flink's
 * own arithmetic (what its start scripts compute the JVM's options with), leaves Vosk the room it was measured
 * to take, and their JVM options start this JDK.
 */
class FlinkConfTest {
    /** Vosk's small English model in a TaskManager, as TaskManagerMemoryBenchmark measured it: 127 MiB. */
    private static final MemorySize MODEL = MemorySize.parse("130m");
    /** One warm recognizer's graph cache, as measured: 115-130 MiB; each slot runs two. */
    private static final MemorySize RECOGNIZER = MemorySize.parse("130m");

    private static Configuration flinkConf() {
        return GlobalConfiguration.loadConfiguration(Path.of("flink-conf").toAbsolutePath().toString());
    }

    @Test
    void aTaskManagersMemoryAddsUpAndLeavesVoskItsRoom() {
        Configuration conf = flinkConf();
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        int slots = conf.get(TaskManagerOptions.NUM_TASK_SLOTS);

        assertThat(spec.getTotalProcessMemorySize()).isEqualTo(conf.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY));
        // the job's live data is at most about 60 MiB: a larger heap is only resident garbage
        assertThat(spec.getJvmHeapMemorySize().getMebiBytes()).as("Java heap, MiB").isBetween(160, 320);
        assertThat(spec.getManagedMemorySize().getBytes()).as("managed memory (the hashmap state backend uses none)").isZero();
        // Vosk allocates outside every JVM pool: only the overhead is left for it
        MemorySize vosk = MODEL.add(RECOGNIZER.multiply(2L * slots));
        assertThat(spec.getJvmOverheadSize().getBytes())
                .as("JVM overhead %s for Vosk's model and %d recognizers (%s)", spec.getJvmOverheadSize(), 2 * slots, vosk)
                .isGreaterThanOrEqualTo(vosk.getBytes());
    }

    @Test
    void aTaskManagersJvmOptionsAreOnesAJava17JvmTakes() throws Exception {
        Configuration conf = flinkConf();
        String options = conf.get(CoreOptions.FLINK_TM_JVM_OPTIONS);
        assertThat(options).as("env.java.opts.taskmanager").contains("-XX:+UseSerialGC");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(options.trim().split("\\s+")));
        command.add("-version");
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor()).as("%s\n%s", command, output).isZero();
        assertThat(output).as("a JVM that only warns about an option ignores it").doesNotContainIgnoringCase("warning");
    }
}
