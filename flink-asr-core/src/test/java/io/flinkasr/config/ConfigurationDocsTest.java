package io.flinkasr.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/**
 * Every option in {@link AsrOptions} has a row in the README's "## Configuration" table, and every key
 * that table names is an option: the docs-completeness check Flink's own build runs over its options.
 */
class ConfigurationDocsTest {
    private static final Path README = Path.of("README.md");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** The keys of every public static ConfigOption field of AsrOptions. */
    static Set<String> optionKeys() throws IllegalAccessException {
        Set<String> keys = new LinkedHashSet<>();
        for (Field field : AsrOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())) {
                keys.add(((ConfigOption<?>) field.get(null)).key());
            }
        }
        return keys;
    }

    /**
     * The keys the first column of the Configuration table names. A row may name several, separated by
     * {@code /}; one written without the {@code asr.} prefix shares the previous key's prefix
     * ({@code `asr.media.fetch.connect-timeout` / `read-timeout`} names asr.media.fetch.read-timeout).
     */
    static Set<String> documentedKeys(List<String> readme) {
        int start = readme.indexOf("## Configuration");
        assertThat(start).as("README.md has a \"## Configuration\" section").isNotNegative();
        Set<String> keys = new LinkedHashSet<>();
        for (String line : readme.subList(start + 1, readme.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (!line.startsWith("| `")) {
                continue;
            }
            String firstCell = line.substring(1, line.indexOf('|', 1));
            String previous = null;
            Matcher m = CODE.matcher(firstCell);
            while (m.find()) {
                String key = m.group(1).strip();
                if (!key.startsWith("asr.") && previous != null) {
                    key = previous.substring(0, previous.lastIndexOf('.') + 1) + key;
                }
                keys.add(key);
                previous = key;
            }
        }
        return keys;
    }

    @Test
    void everyOptionHasARowInTheReadmesConfigurationTable() throws Exception {
        Set<String> options = optionKeys();
        Set<String> documented = documentedKeys(Files.readAllLines(README));

        List<String> missing = new ArrayList<>(options);
        missing.removeAll(documented);
        assertThat(missing).as("options in AsrOptions without a row in README.md's Configuration table "
                + "(add one: | `key` | default | meaning |)").isEmpty();

        List<String> unknown = new ArrayList<>(documented.stream().filter(k -> k.startsWith("asr.")).toList());
        unknown.removeAll(options);
        assertThat(unknown).as("asr.* keys in README.md's Configuration table that are no option in AsrOptions").isEmpty();
    }

    /** The check itself: a key left out of the table is found, and an abbreviated one is expanded. */
    @Test
    void theTableIsReadAsWritten() throws Exception {
        List<String> readme = List.of(
                "## Configuration",
                "| key | default | meaning |",
                "| --- | --- | --- |",
                "| `asr.media.fetch.connect-timeout` / `read-timeout` | 10 s / 15 s | per `step` |",
                "| `asr.api.host` / `asr.api.port` | `0.0.0.0` / 8080 | where |",
                "",
                "## Layout",
                "| `asr.not.in.the.table` | x | y |");

        assertThat(documentedKeys(readme)).containsExactly(
                "asr.media.fetch.connect-timeout", "asr.media.fetch.read-timeout", "asr.api.host", "asr.api.port");
        assertThat(optionKeys()).hasSizeGreaterThan(40).contains("asr.kafka.bootstrap-servers", "asr.api.tls.port");
    }
}
