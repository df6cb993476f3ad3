package io.flinkasr.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run into the output folder: {@code bench-<yyyy-MM-dd-HHmm>.md}, {@code .png} and {@code .json},
 * and the same as {@code latest.md}, {@code latest.png} and {@code latest.json}.
 */
public final class BenchOutput {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm", Locale.ROOT);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The files written, the dated ones first. */
    public record Written(Path markdown, Path chart, Path json, Path latestMarkdown, Path latestChart, Path latestJson) {}

    private BenchOutput() {}

    public static Written write(Path outDir, BenchResult result, List<TargetCheck> checks) throws IOException {
        Files.createDirectories(outDir);
        String stamp = LocalDateTime.parse(result.header().date(), BenchRun.DATE).format(STAMP);
        Path md = outDir.resolve("bench-" + stamp + ".md");
        Path png = outDir.resolve("bench-" + stamp + ".png");
        Path json = outDir.resolve("bench-" + stamp + ".json");
        Files.writeString(md, MarkdownReport.render(result, checks));
        BenchChart.write(result, png);
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("result", result);
        document.put("targets", checks);
        JSON.writeValue(json.toFile(), document);
        Path latestMd = copy(md, outDir.resolve("latest.md"));
        Path latestPng = copy(png, outDir.resolve("latest.png"));
        Path latestJson = copy(json, outDir.resolve("latest.json"));
        return new Written(md, png, json, latestMd, latestPng, latestJson);
    }

    private static Path copy(Path from, Path to) throws IOException {
        return Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
}
