package io.flinkasr.cli;

import io.flinkasr.api.AccessKey;
import io.flinkasr.bench.BenchOutput;
import io.flinkasr.bench.BenchResult;
import io.flinkasr.bench.BenchRun;
import io.flinkasr.bench.BenchSettings;
import io.flinkasr.bench.MarkdownReport;
import io.flinkasr.bench.PhaseLog;
import io.flinkasr.bench.RemoteDeployment;
import io.flinkasr.bench.TargetCheck;
import io.flinkasr.bench.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench}: the benchmark of issue 12 against a private local stack (or a deployment), with a report. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Benchmark flink-asr against raw Vosk on the same inputs, in one run: throughput and CPU of a batch, one long "
                    + "file alone, a 10 s clip's latency idle and beside a one-hour job, memory. Prints a Markdown report and "
                    + "writes it with a PNG chart and JSON into --out. About 10-15 minutes on 2 cores; --quick about 4.",
            "Local stacks run in this JVM; with --api it measures a running deployment instead."
        })
public class BenchCommand implements Callable<Integer> {
    /** The system property (or -D option) that names the speech set when --speech-dir is not given. */
    static final String SPEECH_DIR_PROPERTY = "asr.bench.speech-dir";

    @Spec CommandSpec spec;

    @Mixin ConfigOptions options;

    @Option(names = "--speech-dir", description = "The speech set: recordings and manifest.tsv (default: ../shared/speech, or -D"
            + SPEECH_DIR_PROPERTY + ").")
    Path speechDir;

    @Option(names = "--out", defaultValue = "target/bench", description = "Where the reports go (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--threads", description = "Raw Vosk's threads for the limit (default: the cores).")
    Integer threads;

    @Option(names = "--parallelism", split = ",", paramLabel = "P",
            description = "Pipeline parallelisms to run the batch at, e.g. 1,2: a local stack each, raw Vosk warm on as many threads (default: --threads).")
    List<Integer> parallelisms;

    @Option(names = "--quick", description = "A small run for smoke tests: 6 jobs, 5 clip runs each, one pair, a 10-minute load.")
    boolean quick;

    @Option(names = "--api", paramLabel = "URL", description = "Benchmark the deployment whose API is here instead of a local stack.")
    String api;

    @Option(names = "--access-key-id", defaultValue = "${env:FLINK_ASR_ACCESS_KEY_ID}", description = "The deployment's access key (or FLINK_ASR_ACCESS_KEY_ID).")
    String accessKeyId;

    @Option(names = "--access-key-secret", defaultValue = "${env:FLINK_ASR_ACCESS_KEY_SECRET}",
            description = "Its secret (or FLINK_ASR_ACCESS_KEY_SECRET, which keeps it out of the shell's history).")
    String accessKeySecret;

    @Option(names = "--media-dir", description = "With --api: a media root the deployment reads at the same path; the inputs are written there.")
    Path mediaDir;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Configuration config = options.load();
        int cores = Runtime.getRuntime().availableProcessors();
        RemoteDeployment remote = null;
        if (api != null && parallelisms != null && !parallelisms.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallelism is for local stacks: a deployment has its own");
        }
        if (api != null) {
            try {
                remote = new RemoteDeployment(api, new AccessKey(0, accessKeyId, accessKeySecret), mediaDir);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        } else if (mediaDir != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--media-dir is for --api only");
        }
        BenchSettings settings;
        try {
            settings = new BenchSettings(speechDir(config), out, threads == null ? cores : threads, parallelisms, quick, config, remote);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PhaseLog log = new PhaseLog(System.err, System.console() != null);
        BenchResult result = new BenchRun(settings, log).run();
        List<TargetCheck> checks = Targets.evaluate(result);
        BenchOutput.Written written = BenchOutput.write(out, result, checks);
        System.out.println(MarkdownReport.render(result, checks));
        System.out.flush();
        log.line("wrote " + written.markdown() + ", " + written.chart() + ", " + written.json() + " (and latest.*)");
        boolean allFinished = result.batches().stream().allMatch(b -> b.notFinished().isEmpty());
        return allFinished ? 0 : 1;
    }

    /** --speech-dir, else -Dasr.bench.speech-dir (option or system property), else ../shared/speech if it is there. */
    private Path speechDir(Configuration config) {
        if (speechDir != null) {
            return speechDir.toAbsolutePath().normalize();
        }
        String named = options.overrides.getOrDefault(SPEECH_DIR_PROPERTY, System.getProperty(SPEECH_DIR_PROPERTY));
        if (named != null && !named.isBlank()) {
            return Path.of(named).toAbsolutePath().normalize();
        }
        Path beside = Path.of("..", "shared", "speech").toAbsolutePath().normalize();
        return Files.isDirectory(beside) ? beside : null;
    }
}
