package io.flinkasr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.cluster.ShellScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./flink-asr} wrapper as a user runs it, with a stand-in for {@code java} first on the PATH that
 * prints what it was started with: the commands that run Vosk get jemalloc preloaded where it is installed
 * (Vosk decodes with about a third less CPU with it), the API alone keeps glibc (it answered more slowly with
 * jemalloc), {@code FLINK_ASR_ALLOCATOR=glibc} turns it off, and no arguments run the demo. An ITCase: the
 * wrapper needs the packaged jar, which it would otherwise build.
 */
class FlinkAsrScriptITCase {
    private static final Path JEMALLOC = Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");

    @TempDir Path tmp;

    @Test
    void theCommandsThatRunVoskGetJemallocAndTheApiKeepsGlibc() throws Exception {
        ShellScript.Run transcribe = wrapper(Map.of(), "transcribe", "talk.mp3");
        assertThat(transcribe.exitCode()).as("%s", transcribe).isZero();
        assertThat(transcribe.result("args")).endsWith("flink-asr-app/target/flink-asr.jar transcribe talk.mp3");
        if (Files.isRegularFile(JEMALLOC)) {
            assertThat(transcribe.result("preload")).isEqualTo(JEMALLOC.toString());
        } else {
            assertThat(transcribe.result("preload")).isEmpty();
            assertThat(transcribe.stderr()).contains("jemalloc not found (Debian: apt-get install libjemalloc2)");
        }

        ShellScript.Run demo = wrapper(Map.of());
        assertThat(demo.result("args")).as("no arguments: the demo").endsWith("flink-asr.jar demo");
        assertThat(demo.result("preload")).isEqualTo(transcribe.result("preload"));

        for (String apiAlone : List.of("api", "callbacks")) {
            ShellScript.Run run = wrapper(Map.of(), apiAlone, "--help");
            assertThat(run.result("preload")).as("%s keeps glibc", apiAlone).isEmpty();
            assertThat(run.stderr()).doesNotContain("jemalloc");
        }

        ShellScript.Run glibc = wrapper(Map.of("FLINK_ASR_ALLOCATOR", "glibc"), "transcribe", "talk.mp3");
        assertThat(glibc.result("preload")).as("FLINK_ASR_ALLOCATOR=glibc").isEmpty();
        assertThat(glibc.stderr()).doesNotContain("jemalloc");
    }

    /** {@code bash flink-asr args} with a java on the PATH that prints LD_PRELOAD and its arguments. */
    private ShellScript.Run wrapper(Map<String, String> environment, String... args) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\necho \"preload=${LD_PRELOAD:-}\"\necho \"args=$*\"\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        Map<String, String> env = new HashMap<>(environment);
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("LD_PRELOAD", "");
        return ShellScript.run(Path.of(System.getProperty("user.dir"), "flink-asr"), List.of(args), env,
                tmp.resolve("wrapper.log"), Duration.ofMinutes(5));
    }
}
