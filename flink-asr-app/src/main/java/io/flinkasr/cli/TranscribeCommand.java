package io.flinkasr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.api.ApiClient;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.output.SubtitleLayout;
import io.flinkasr.output.TranscriptFormat;
import io.flinkasr.records.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.WebOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code transcribe FILE...}: a private local stack in a temporary folder, each file through the API, the
 * results on stdout (or in {@code --output-dir}). The temporary folder is removed when the command ends,
 * Ctrl-C included.
 */
@Command(name = "transcribe", mixinStandardHelpOptions = true,
        description = "Transcribe media files (or the media files in a folder) through a private local stack;"
                + " exits 0 only if every job finished.")
public class TranscribeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ConfigOptions options;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Media files (anything ffmpeg decodes), or folders of them.")
    List<String> files;

    @Option(names = "--format", defaultValue = "text", description = "text, json, srt or vtt (default ${DEFAULT-VALUE}).")
    TranscriptFormat format;

    @Option(names = "--output-dir", description = "Write each result to DIR/<name>.<format> (clip.mp4 -> clip.vtt) instead of printing.")
    Path outputDir;

    @Option(names = "--word-timestamps", description = "Each word's time: a line per word (text), words in each segment (json), cue timestamp tags (vtt).")
    boolean wordTimestamps;

    @Option(names = "--max-line-width", description = "Subtitles: characters per line (default ${DEFAULT-VALUE}).", defaultValue = "42")
    int maxLineWidth;

    @Option(names = "--max-line-count", description = "Subtitles: lines per cue (default ${DEFAULT-VALUE}).", defaultValue = "2")
    int maxLineCount;

    @Option(names = "--max-cue-seconds", description = "Subtitles: seconds a cue stays on screen at most (default ${DEFAULT-VALUE}).", defaultValue = "7")
    double maxCueSeconds;

    @Option(names = "--max-segment-words", description = "Words per segment at most, 4 to 50 (default 20); longer ones are split at their longest pauses.")
    Integer maxSegmentWords;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SubtitleLayout layout;
        try {
            layout = new SubtitleLayout(maxLineWidth, maxLineCount, maxCueSeconds);
        } catch (IllegalArgumentException e) {
            throw new CommandException(CommandException.BAD_INPUT, "Subtitles: " + e.getMessage());
        }
        if (maxSegmentWords != null && (maxSegmentWords < 4 || maxSegmentWords > 50)) {
            throw new CommandException(CommandException.BAD_INPUT, "--max-segment-words must be from 4 to 50, not " + maxSegmentWords);
        }
        List<MediaInputs.Input> inputs = MediaInputs.of(files);
        Map<MediaInputs.Input, Path> outputs = outputDir == null ? Map.of() : MediaInputs.outputs(inputs, outputDir, format.name());
        Set<String> roots = new LinkedHashSet<>();
        for (MediaInputs.Input input : inputs) {
            roots.add(input.file().getParent().toString());
        }
        options.overrides.putIfAbsent(AsrOptions.MEDIA_ROOTS.key(), String.join(";", roots));
        Path dataDir = Files.createTempDirectory("flink-asr-transcribe");
        // everything the private stack writes stays in its folder, which goes at the end (Ctrl-C included)
        options.overrides.putIfAbsent(AsrOptions.STAGING_DIR.key(), dataDir.resolve("staging").toString());
        options.overrides.putIfAbsent(CoreOptions.TMP_DIRS.key(), dataDir.resolve("tmp").toString());
        options.overrides.putIfAbsent(WebOptions.TMP_DIR.key(), dataDir.resolve("web").toString());
        Configuration config = options.load();
        AtomicReference<LocalStack> started = new AtomicReference<>();
        AtomicBoolean stopping = new AtomicBoolean();
        // Ctrl-C: this hook alone stops the stack and then removes its folder (removed any earlier, Kafka finds
        // its log folder gone and halts the JVM before the stack is stopped); the normal end does it in finally
        Thread cleanup = new Thread(() -> {
            stopping.set(true);
            LocalStack stack = started.get();
            try {
                if (stack != null) {
                    stack.close();
                }
            } catch (RuntimeException e) {
                // stopping at Ctrl-C, beside the JVM's other shutdown hooks: the folder goes anyway
            } finally {
                deleteQuietly(dataDir);
            }
        }, "transcribe-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        err.println("Starting a private flink-asr stack ...");
        err.flush();
        try (LocalStack stack = LocalStack.start(config, dataDir, 0, null)) {
            started.set(stack);
            ApiClient api = new ApiClient(stack.apiUrl(), stack.accessKey());
            List<String> jobIds = new ArrayList<>();
            for (MediaInputs.Input input : inputs) {
                Map<String, String> submit = new LinkedHashMap<>();
                submit.put("InputFile", input.file().toString());
                submit.put("Title", input.file().getFileName().toString());
                if (maxSegmentWords != null) {
                    submit.put("EditingConfig", "{\"SentenceMaxLength\": " + maxSegmentWords + "}");
                }
                jobIds.add(api.call("SubmitASRJob", submit).path("JobId").asText());
            }
            ArrayNode run = Json.MAPPER.createArrayNode();
            int failures = 0;
            for (int i = 0; i < inputs.size(); i++) {
                MediaInputs.Input input = inputs.get(i);
                JsonNode job = await(api, jobIds.get(i), input);
                if (!"Finished".equals(job.path("State").asText())) {
                    failures++;
                    err.println(input.shown() + ": " + job.path("State").asText() + " "
                            + job.path("ErrorCode").asText() + ": " + job.path("ErrorMessage").asText());
                    err.flush();
                    if (format == TranscriptFormat.json && outputDir == null) {
                        run.addObject().put("file", input.shown()).put("state", job.path("State").asText())
                                .put("errorCode", job.path("ErrorCode").asText())
                                .put("errorMessage", job.path("ErrorMessage").asText());
                    }
                    continue;
                }
                String rendered = api.call("GetSmartHandleJob", formatRequest(jobIds.get(i), layout)).path("FormattedOutput").asText();
                if (outputDir != null) {
                    Files.createDirectories(outputDir);
                    Files.writeString(outputs.get(input), rendered);
                    err.println("Wrote " + outputs.get(input));
                    err.flush();
                } else if (format == TranscriptFormat.json) {
                    ObjectNode result = run.addObject().put("file", input.shown()).put("state", "Finished");
                    result.set("segments", Json.MAPPER.readTree(rendered));
                } else {
                    print(out, input, inputs.size() > 1, rendered);
                }
            }
            if (format == TranscriptFormat.json && outputDir == null) {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(run));
                out.flush();
            }
            return failures == 0 ? 0 : 1;
        } catch (Exception e) {
            if (stopping.get()) {
                return 130; // Ctrl-C: the API went away under the progress bar; the hook is stopping the rest
            }
            throw e;
        } finally {
            boolean hookRuns = false;
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                hookRuns = true;
            }
            if (!hookRuns) {
                deleteQuietly(dataDir);
            }
        }
    }

    private Map<String, String> formatRequest(String jobId, SubtitleLayout layout) {
        Map<String, String> get = new LinkedHashMap<>();
        get.put("JobId", jobId);
        get.put("OutputFormat", format.name());
        get.put("WordTimestamps", String.valueOf(wordTimestamps));
        get.put("MaxLineWidth", String.valueOf(layout.maxLineWidth()));
        get.put("MaxLineCount", String.valueOf(layout.maxLines()));
        get.put("MaxCueSeconds", String.format(Locale.ROOT, "%s", layout.maxSeconds()));
        return get;
    }

    /** A result on stdout; with several files each under a heading such as {@code ==> clip.mp4 <==}, as head(1) does. */
    private void print(PrintWriter out, MediaInputs.Input input, boolean several, String rendered) {
        if (several) {
            out.println("==> " + input.shown() + " <==");
        }
        out.println(rendered.stripTrailing());
        if (several || format == TranscriptFormat.srt || format == TranscriptFormat.vtt) {
            out.println();
        }
        out.flush();
    }

    private JsonNode await(ApiClient api, String jobId, MediaInputs.Input input) throws Exception {
        try (ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(input.file().getFileName().toString())
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

    /**
     * Removes the folder, whatever is in it. At Ctrl-C, Flink's and Kafka's own shutdown hooks may still be
     * writing or deleting files in it, so a file that vanishes or cannot go is passed over and the walk is
     * made again, a few times, until the folder is gone.
     */
    private static void deleteQuietly(Path dir) {
        for (int attempt = 0; attempt < 10 && Files.exists(dir); attempt++) {
            try {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                        file.toFile().delete();
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path folder, IOException e) {
                        folder.toFile().delete();
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException ignored) {
                // tried again below
            }
            if (Files.exists(dir)) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
