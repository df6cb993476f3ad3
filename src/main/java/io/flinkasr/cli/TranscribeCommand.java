package io.flinkasr.cli;

import io.flinkasr.api.ApiClient;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.output.TranscriptFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code transcribe FILE...}: a private local stack, each file through the API, the results on stdout. */
@Command(name = "transcribe", mixinStandardHelpOptions = true,
        description = "Transcribe media files through a private local stack; exits 0 only if every job finished.")
public class TranscribeCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Media files (anything ffmpeg decodes).")
    List<Path> files;

    @Option(names = "--format", defaultValue = "text", description = "text, json, srt or vtt (default ${DEFAULT-VALUE}).")
    TranscriptFormat format;

    @Option(names = "--output-dir", description = "Write FILE.<format> here instead of printing.")
    Path outputDir;

    @Override
    public Integer call() throws Exception {
        Set<String> roots = new LinkedHashSet<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                System.err.println("No such file: " + file);
                return 2;
            }
            roots.add(file.toRealPath().getParent().toString());
        }
        options.overrides.putIfAbsent(AsrOptions.MEDIA_ROOTS.key(), String.join(";", roots));
        Configuration config = options.load();
        Path dataDir = Files.createTempDirectory("flink-asr-transcribe");
        System.err.println("Starting a private flink-asr stack ...");
        try (LocalStack stack = LocalStack.start(config, dataDir, 0, null)) {
            ApiClient api = new ApiClient(stack.apiUrl(), stack.accessKey());
            List<String> jobIds = new ArrayList<>();
            for (Path file : files) {
                JsonNode submitted = api.call("SubmitASRJob", Map.of(
                        "InputFile", file.toRealPath().toString(), "Title", file.getFileName().toString()));
                jobIds.add(submitted.path("JobId").asText());
            }
            int failures = 0;
            for (int i = 0; i < files.size(); i++) {
                JsonNode job = await(api, jobIds.get(i), files.get(i));
                if (!"Finished".equals(job.path("State").asText())) {
                    failures++;
                    System.err.println(files.get(i) + ": " + job.path("State").asText() + " "
                            + job.path("ErrorCode").asText() + ": " + job.path("ErrorMessage").asText());
                    continue;
                }
                JsonNode formatted = api.call("GetSmartHandleJob", Map.of("JobId", jobIds.get(i), "OutputFormat", format.name()));
                emit(files.get(i), formatted.path("FormattedOutput").asText());
            }
            return failures == 0 ? 0 : 1;
        } finally {
            deleteQuietly(dataDir);
        }
    }

    private JsonNode await(ApiClient api, String jobId, Path file) throws Exception {
        try (ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(file.getFileName().toString())
                .setInitialMax(100)
                .setStyle(ProgressBarStyle.ASCII)
                .hideEta()
                .build()) {
            while (true) {
                JsonNode job = api.call("GetSmartHandleJob", Map.of("JobId", jobId));
                String state = job.path("State").asText();
                bar.stepTo(Math.round(job.path("Progress").path("Percent").asDouble()));
                bar.setExtraMessage(state);
                if (state.equals("Finished") || state.equals("Failed")) {
                    return job;
                }
                Thread.sleep(250);
            }
        }
    }

    private void emit(Path file, String rendered) throws IOException {
        if (outputDir != null) {
            Files.createDirectories(outputDir);
            Path out = outputDir.resolve(file.getFileName() + "." + format.name());
            Files.writeString(out, rendered);
            System.err.println("Wrote " + out);
        } else {
            System.out.println(rendered.stripTrailing());
            if (format == TranscriptFormat.srt || format == TranscriptFormat.vtt) {
                System.out.println();
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder
        }
    }
}
