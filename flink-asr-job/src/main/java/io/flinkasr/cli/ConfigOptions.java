package io.flinkasr.cli;

import io.flinkasr.config.AsrConfig;
import io.flinkasr.config.AsrOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/** Options every command shares: a config file, -D overrides and the common settings by name. */
public class ConfigOptions {
    @Option(names = "--config", description = "A Flink config.yaml with asr.* (and Flink) options.")
    Path configFile;

    @Option(names = "-D", mapFallbackValue = "", description = "Override any option: -Dasr.chunk.max-seconds=20")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--media-root", description = "A folder that file:// inputs may be read from (repeatable).")
    List<Path> mediaRoots;

    @Option(names = "--model", description = "The Vosk model folder (default: model/model-en-us beside the jar).")
    Path model;

    Configuration load() {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        if (mediaRoots != null && !mediaRoots.isEmpty()) {
            all.put(AsrOptions.MEDIA_ROOTS.key(),
                    String.join(";", mediaRoots.stream().map(p -> p.toAbsolutePath().toString()).toList()));
        }
        if (model != null) {
            all.put(AsrOptions.MODEL_PATH.key(), model.toAbsolutePath().toString());
        }
        return AsrConfig.load(configFile, all);
    }
}
