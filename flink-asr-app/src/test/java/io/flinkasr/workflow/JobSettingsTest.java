package io.flinkasr.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkasr.cli.FlinkAsr;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class JobSettingsTest {

    private static Configuration of(Map<String, String> settings) {
        return Configuration.fromMap(settings);
    }

    @Test
    void theDefaultsAreValid() {
        assertThatCode(() -> JobSettings.check(new Configuration())).doesNotThrowAnyException();
    }

    @Test
    void aValueThatDoesNotParseIsNamedWithWhatWasExpected() {
        assertThatThrownBy(() -> JobSettings.check(of(Map.of("asr.chunk.max-seconds", "twenty"))))
                .isInstanceOf(JobSettings.InvalidSetting.class)
                .hasMessageContaining("asr.chunk.max-seconds: 'twenty' is not a number");
        assertThatThrownBy(() -> JobSettings.check(of(Map.of("asr.job.stall-timeout", "soon"))))
                .hasMessageContaining("asr.job.stall-timeout: 'soon' is not a duration");
        assertThatThrownBy(() -> JobSettings.check(of(Map.of("asr.recognizer.mode", "FASTEST"))))
                .hasMessageContaining("asr.recognizer.mode: 'FASTEST' is not one of [REUSED, FRESH");
    }

    @Test
    void aMisspeltKeyIsRefusedWithTheNearestRealOne() {
        assertThatThrownBy(() -> JobSettings.check(of(Map.of("asr.chunk.max-second", "20"))))
                .hasMessageContaining("unknown setting asr.chunk.max-second (did you mean asr.chunk.max-seconds?)");
        assertThatCode(() -> JobSettings.check(of(Map.of("asr.bench.speech-dir", "/x", "execution.checkpointing.interval", "5 s"))))
                .doesNotThrowAnyException();
    }

    @Test
    void settingsThatParseButCannotWorkAreRefused() {
        assertThatThrownBy(() -> JobSettings.check(of(Map.of("asr.chunk.min-seconds", "30", "asr.chunk.max-seconds", "20"))))
                .hasMessageContaining("asr.chunk.min-seconds / asr.chunk.max-seconds");
        assertThatThrownBy(() -> JobSettings.check(of(Map.of("asr.media.http.allowed-ports", "80;70000"))))
                .hasMessageContaining("70000 is not a port");
        assertThatThrownBy(() -> JobSettings.check(of(Map.of("asr.checkpoint.interval", "0 s"))))
                .hasMessageContaining("asr.checkpoint.interval: must be longer than 0");
        assertThatThrownBy(() -> JobSettings.check(of(Map.of("asr.kafka.replication-factor", "0"))))
                .hasMessageContaining("asr.kafka.replication-factor: at least 1");
    }

    @Test
    void theJobCommandPrintsOneLineAndExitsNonZeroOnABadSetting() {
        StringWriter err = new StringWriter();
        int exit = FlinkAsr.commandLine()
                .setErr(new PrintWriter(err, true))
                .execute("job", "--bootstrap-servers", "127.0.0.1:1", "-Dasr.chunk.max-seconds=twenty");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip())
                .startsWith("flink-asr job: invalid settings: asr.chunk.max-seconds: 'twenty' is not a number")
                .doesNotContain("\n")
                .doesNotContain("Exception");
    }

    @Test
    void aJobFromAClientWithoutCheckpointingStillCheckpointsExactlyOnce() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        assertThat(env.getCheckpointConfig().isCheckpointingEnabled()).isFalse();

        AsrPipeline.checkpointed(env, new Configuration());

        assertThat(env.getCheckpointConfig().isCheckpointingEnabled()).isTrue();
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(2000);
        assertThat(env.getCheckpointConfig().getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
    }

    @Test
    void theClusterIntervalIsKeptButTheModeIsAlwaysExactlyOnceAndOurOptionWins() {
        Configuration flink = new Configuration();
        flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, java.time.Duration.ofSeconds(5));
        flink.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.AT_LEAST_ONCE);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);

        AsrPipeline.checkpointed(env, new Configuration());
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(5000);
        assertThat(env.getCheckpointConfig().getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);

        AsrPipeline.checkpointed(env, of(Map.of("asr.checkpoint.interval", "3 s")));
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(3000);
    }
}
