package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkasr.cli.FlinkAsr;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessKeysTest {
    private static final Path EXAMPLE = Path.of("deploy", "users.example.json");

    @TempDir Path tmp;

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

    @Test
    void aKeyMayBeAnOperatorOfTheDashboardAndIsATenantOtherwise() throws Exception {
        Path file = Files.writeString(tmp.resolve("users.json"), """
                [{"userId": 1, "accessKeyId": "LTAItenant", "accessKeySecret": "s1"},
                 {"userId": 2, "accessKeyId": "LTAIoperator", "accessKeySecret": "s2", "role": "operator"}]""");

        AccessKeys keys = AccessKeys.load(file);

        assertThat(keys.find("LTAItenant").orElseThrow().operator()).isFalse();
        assertThat(keys.find("LTAIoperator").orElseThrow().operator()).isTrue();
    }

    @Test
    void anUnknownRoleIsRefusedWhenTheFileIsRead() throws Exception {
        Path file = Files.writeString(tmp.resolve("users.json"), """
                [{"userId": 1, "accessKeyId": "LTAIadmin", "accessKeySecret": "s1", "role": "admin"}]""");

        assertThatThrownBy(() -> AccessKeys.load(file)).hasMessageContaining("role 'admin'");
    }

    @Test
    void theKeyALocalStackCreatesRunsItAsOperator() throws Exception {
        AccessKeys created = AccessKeys.create(tmp.resolve("users.json"));

        assertThat(created.first().operator()).isTrue();
        assertThat(AccessKeys.load(tmp.resolve("users.json")).first().operator()).isTrue();
    }
}
