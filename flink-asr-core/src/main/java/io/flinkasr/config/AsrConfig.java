package io.flinkasr.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

/** Loads the configuration: a Flink {@code config.yaml} (optional), then command-line overrides. */
public final class AsrConfig {
    private AsrConfig() {}

    public static Configuration load(Path configFile, Map<String, String> overrides) {
        Configuration dynamic = Configuration.fromMap(overrides);
        Configuration config;
        if (configFile != null) {
            Path dir = Files.isDirectory(configFile) ? configFile : configFile.toAbsolutePath().getParent();
            config = GlobalConfiguration.loadConfiguration(dir.toString(), dynamic);
        } else {
            config = new Configuration();
            config.addAll(dynamic);
        }
        if (!config.contains(AsrOptions.MODEL_PATH)) {
            config.set(AsrOptions.MODEL_PATH, defaultModelPath().toString());
        }
        return config;
    }

    /**
     * Where the Maven build unpacks the model: {@code model/model-en-us} beside flink-asr.jar; run from the build
     * tree (this class in a module's {@code target/}), where flink-asr-app unpacks it: {@code flink-asr-app/target/model}.
     */
    public static Path defaultModelPath() {
        try {
            Path codeSource = Path.of(AsrConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path folder = codeSource.toAbsolutePath().getParent();
            Path module = folder.getParent();
            if (folder.getFileName().toString().equals("target") && module != null
                    && module.getFileName().toString().startsWith("flink-asr-")) {
                folder = module.resolveSibling("flink-asr-app").resolve("target");
            }
            return folder.resolve("model").resolve("model-en-us");
        } catch (Exception e) {
            return Path.of("flink-asr-app", "target", "model", "model-en-us").toAbsolutePath();
        }
    }
}
