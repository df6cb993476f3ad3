package io.flinkasr.workflow;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.media.ChunkPlanner;
import io.flinkasr.media.remote.RemoteMediaSettings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Checks the job's settings on the client, before anything is submitted: a value that does not parse, a
 * misspelt {@code asr.*} key or chunk bounds that cannot work fail {@code flink run} (or {@code local}) with
 * one line, instead of failing every TaskManager's {@code open} in a restart loop.
 */
public final class JobSettings {
    /** Keys of other parts of the project that the job ignores. */
    private static final List<String> OTHER_PREFIXES = List.of("asr.bench.");

    private JobSettings() {}

    /** A setting that the job cannot run with; the message is the whole story, in one line. */
    public static final class InvalidSetting extends IllegalArgumentException {
        InvalidSetting(String message) {
            super(message);
        }
    }

    /** @throws InvalidSetting naming every setting that is wrong */
    public static void check(Configuration config) {
        List<String> problems = new ArrayList<>();
        Set<String> known = new TreeSet<>();
        for (ConfigOption<?> option : options()) {
            known.add(option.key());
            try {
                config.getOptional(option);
            } catch (RuntimeException e) {
                problems.add(option.key() + ": '" + config.toMap().get(option.key()) + "' is not " + expected(option));
            }
        }
        for (String key : config.keySet()) {
            if (key.startsWith("asr.") && !known.contains(key) && OTHER_PREFIXES.stream().noneMatch(key::startsWith)) {
                String near = known.stream().min(Comparator.comparingInt(k -> distance(k, key))).orElse("");
                problems.add("unknown setting " + key + (distance(near, key) <= 3 ? " (did you mean " + near + "?)" : ""));
            }
        }
        if (problems.isEmpty()) {
            problems.addAll(semantics(config));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSetting("invalid settings: " + String.join("; ", problems));
        }
    }

    private static List<String> semantics(Configuration config) {
        List<String> problems = new ArrayList<>();
        try {
            new ChunkPlanner(config.get(AsrOptions.CHUNK_MIN_SECONDS), config.get(AsrOptions.CHUNK_MAX_SECONDS));
        } catch (IllegalArgumentException e) {
            problems.add(AsrOptions.CHUNK_MIN_SECONDS.key() + " / " + AsrOptions.CHUNK_MAX_SECONDS.key() + ": " + e.getMessage());
        }
        try {
            RemoteMediaSettings.from(config);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        for (ConfigOption<Duration> positive : List.of(AsrOptions.CHECKPOINT_INTERVAL, AsrOptions.DECODE_TIMEOUT,
                AsrOptions.STALL_TIMEOUT, AsrOptions.MAX_MEDIA_DURATION)) {
            if (config.get(positive).isNegative() || config.get(positive).isZero()) {
                problems.add(positive.key() + ": must be longer than 0");
            }
        }
        if (config.get(AsrOptions.MAX_ATTEMPTS) < 1) {
            problems.add(AsrOptions.MAX_ATTEMPTS.key() + ": at least 1");
        }
        if (config.get(AsrOptions.CHUNK_CONTEXT_SECONDS) < 0 || config.get(AsrOptions.CHUNK_OVERLAP_SECONDS) < 0) {
            problems.add(AsrOptions.CHUNK_CONTEXT_SECONDS.key() + " and " + AsrOptions.CHUNK_OVERLAP_SECONDS.key()
                    + " cannot be negative");
        }
        config.getOptional(AsrOptions.REPLICATION_FACTOR).filter(n -> n < 1 || n > Short.MAX_VALUE)
                .ifPresent(n -> problems.add(AsrOptions.REPLICATION_FACTOR.key() + ": at least 1"));
        config.getOptional(AsrOptions.MIN_INSYNC_REPLICAS).filter(n -> n < 1)
                .ifPresent(n -> problems.add(AsrOptions.MIN_INSYNC_REPLICAS.key() + ": at least 1"));
        return problems;
    }

    /** Every option of {@link AsrOptions}. */
    public static List<ConfigOption<?>> options() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : AsrOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }

    private static String expected(ConfigOption<?> option) {
        try {
            Field clazz = ConfigOption.class.getDeclaredField("clazz");
            clazz.setAccessible(true);
            Field isList = ConfigOption.class.getDeclaredField("isList");
            isList.setAccessible(true);
            Class<?> type = (Class<?>) clazz.get(option);
            String one = type.isEnum()
                    ? "one of " + Arrays.toString(type.getEnumConstants())
                    : switch (type.getSimpleName()) {
                        case "Duration" -> "a duration (e.g. 30 s, 2 min)";
                        case "MemorySize" -> "a size (e.g. 8 mb, 2 gb)";
                        case "Integer", "Long" -> "a whole number";
                        case "Double", "Float" -> "a number";
                        case "Boolean" -> "true or false";
                        default -> "a valid value";
                    };
            return (boolean) isList.get(option) ? "a ;-separated list, each " + one : one;
        } catch (ReflectiveOperationException e) {
            return "a valid value";
        }
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int swap = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + swap);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
