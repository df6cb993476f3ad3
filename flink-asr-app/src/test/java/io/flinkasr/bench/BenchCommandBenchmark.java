package io.flinkasr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.local.TestStacks;
import io.flinkasr.pipeline.SpeechSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@code ./flink-asr bench} does, from Maven: {@code mvn verify -Pbench -Dit.test=BenchCommandBenchmark}
 * (add {@code -Dflinkasr.bench.quick=true} for the small run, {@code -Dflinkasr.bench.parallelism=1,2} for more
 * stacks). The model comes from the build ({@code flinkasr.model.path}), the recordings from
 * {@code flinkasr.speech.dir}, {@code asr.*} system properties reach the stack as in the other benchmarks; the
 * reports go to {@code flinkasr.bench.out} (target/bench, set by the bench profile). Asserts that it ran and every
 * batch job finished, never anything about time.
 */
class BenchCommandBenchmark {

    @Test
    void benchmark() throws Exception {
        System.setProperty("java.awt.headless", "true");
        int cores = Runtime.getRuntime().availableProcessors();
        String parallelism = System.getProperty("flinkasr.bench.parallelism");
        List<Integer> parallelisms = parallelism == null || parallelism.isBlank() ? List.of()
                : Arrays.stream(parallelism.split(",")).map(String::strip).map(Integer::parseInt).toList();
        Path out = Path.of(System.getProperty("flinkasr.bench.out", "target/bench"));
        BenchSettings settings = new BenchSettings(
                SpeechSet.dir(),
                out, Integer.getInteger("flinkasr.bench.threads", cores), parallelisms,
                Boolean.getBoolean("flinkasr.bench.quick"), TestStacks.asUsersRunIt(), null);

        BenchResult result = new BenchRun(settings, new PhaseLog(System.out, false)).run();
        List<TargetCheck> checks = Targets.evaluate(result);
        BenchOutput.Written written = BenchOutput.write(out, result, checks);
        System.out.println();
        System.out.println(MarkdownReport.render(result, checks));

        assertThat(written.latestMarkdown()).exists();
        assertThat(Files.size(written.latestChart())).isPositive();
        assertThat(result.batches()).allSatisfy(b -> assertThat(b.notFinished()).isEmpty());
    }
}
