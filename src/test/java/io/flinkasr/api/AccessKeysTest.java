package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkasr.cli.FlinkAsr;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AccessKeysTest {
    private static final Path EXAMPLE = Path.of("deploy", "users.example.json");

    @Test
    void theExampleKeyFileIsNeverAcceptedAsKeys() {
        assertThatThrownBy(() -> AccessKeys.load(EXAMPLE))
                .isInstanceOf(AccessKeys.InvalidKeys.class)
                .hasMessageContaining("has the example's secret");
    }

    @Test
    void theApiRefusesToStartWithTheExampleSecretInOneLineBeforeItTouchesKafka() {
        StringWriter err = new StringWriter();
        int exit = FlinkAsr.commandLine()
                .setErr(new PrintWriter(err, true))
                .execute("api", "--users", EXAMPLE.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip())
                .startsWith("flink-asr api: access key LTAIexample0000001 has the example's secret")
                .doesNotContain("\n");
    }
}
