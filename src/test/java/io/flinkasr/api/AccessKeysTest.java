package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessKeysTest {
    @TempDir Path tmp;

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
