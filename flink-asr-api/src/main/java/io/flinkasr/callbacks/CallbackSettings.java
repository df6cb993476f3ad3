package io.flinkasr.callbacks;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.media.remote.RemoteMediaSettings;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * Where completion callbacks are read and written, when they are retried, and what they may reach (the
 * media fetcher's address policy, {@code asr.media.http.*}). Every value is checked once, at start-up.
 */
record CallbackSettings(String bootstrapServers, String statesTopic, String eventsTopic, String callbacksTopic,
        String groupId, RetrySchedule schedule, Duration timeout, int concurrency, int perHost,
        RemoteMediaSettings addresses) {

    static CallbackSettings from(Configuration config) {
        Duration first = positive(config, AsrOptions.CALLBACKS_FIRST_RETRY);
        Duration max = positive(config, AsrOptions.CALLBACKS_MAX_RETRY_INTERVAL);
        Duration giveUp = positive(config, AsrOptions.CALLBACKS_GIVE_UP_AFTER);
        if (max.compareTo(first) < 0) {
            throw new IllegalConfigurationException("Invalid " + AsrOptions.CALLBACKS_MAX_RETRY_INTERVAL.key()
                    + ": must not be shorter than " + AsrOptions.CALLBACKS_FIRST_RETRY.key());
        }
        return new CallbackSettings(
                config.get(AsrOptions.BOOTSTRAP_SERVERS),
                config.get(AsrOptions.STATES_TOPIC),
                config.get(AsrOptions.EVENTS_TOPIC),
                config.get(AsrOptions.CALLBACKS_TOPIC),
                config.get(AsrOptions.CALLBACKS_GROUP_ID),
                new RetrySchedule(first, max, giveUp),
                positive(config, AsrOptions.CALLBACKS_TIMEOUT),
                atLeastOne(config, AsrOptions.CALLBACKS_CONCURRENCY),
                atLeastOne(config, AsrOptions.CALLBACKS_PER_HOST),
                RemoteMediaSettings.from(config));
    }

    private static Duration positive(Configuration config, ConfigOption<Duration> option) {
        Duration value = config.get(option);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalConfigurationException("Invalid " + option.key() + ": must be positive");
        }
        return value;
    }

    private static int atLeastOne(Configuration config, ConfigOption<Integer> option) {
        int value = config.get(option);
        if (value < 1) {
            throw new IllegalConfigurationException("Invalid " + option.key() + ": must be at least 1");
        }
        return value;
    }
}
