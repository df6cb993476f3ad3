package io.flinkasr.media.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkasr.config.AsrConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteMediaSettingsTest {
    @TempDir Path dir;

    @Test
    void hasSaneDefaults() {
        RemoteMediaSettings settings = RemoteMediaSettings.from(new Configuration());

        assertThat(settings.maxBytes()).isEqualTo(2L << 30);
        assertThat(settings.stepBytes()).isEqualTo(8L << 20);
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.readTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(settings.callTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.allowedAddresses()).isEmpty();
        assertThat(settings.allowedPorts()).containsExactly(80, 443);
        assertThat(settings.maxRedirects()).isEqualTo(5);
        assertThat(settings.s3Endpoint()).isNull();
    }

    @Test
    void readsAConfigFileAndOverrides() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), String.join("\n",
                "asr.media.max-bytes: 500mb",
                "asr.media.http.allowed-addresses: 10.1.0.0/16;fd00::/8",
                "asr.media.http.allowed-ports: 80;443;8443",
                "asr.media.s3.endpoint: https://oss-cn-shanghai.aliyuncs.com",
                "asr.media.s3.access-key: LTAIexample",
                "asr.media.s3.secret-key: very-secret",
                "asr.media.s3.oss-endpoints: oss-cn-beijing.aliyuncs.com;http://minio.internal:9000",
                ""));
        Configuration config = AsrConfig.load(dir.resolve("config.yaml"), Map.of("asr.media.fetch.read-timeout", "5 s"));

        RemoteMediaSettings settings = RemoteMediaSettings.from(config);

        assertThat(settings.maxBytes()).isEqualTo(500L << 20);
        assertThat(settings.readTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.allowedAddresses()).containsExactly("10.1.0.0/16", "fd00::/8");
        assertThat(settings.allowedPorts()).containsExactly(80, 443, 8443);
        assertThat(settings.s3Endpoint()).isEqualTo("https://oss-cn-shanghai.aliyuncs.com/");
        assertThat(settings.ossEndpoints())
                .containsExactly("https://oss-cn-beijing.aliyuncs.com/", "http://minio.internal:9000/");
        assertThat(settings.toString()).doesNotContain("very-secret");
    }

    @Test
    void travelsAsJavaSerialization() throws Exception {
        Configuration config = new Configuration();
        config.setString("asr.media.s3.endpoint", "http://minio:9000");
        config.setString("asr.media.s3.secret-key", "s");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(RemoteMediaSettings.from(config));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            RemoteMediaSettings copy = (RemoteMediaSettings) in.readObject();
            assertThat(copy.s3Endpoint()).isEqualTo("http://minio:9000/");
            assertThat(copy.s3SecretKey()).isEqualTo("s");
        }
    }

    @Test
    void refusesUnusableValuesNamingTheKey() {
        for (Map.Entry<String, String> bad : List.of(
                Map.entry("asr.media.http.allowed-addresses", "intranet.example"),
                Map.entry("asr.media.http.allowed-ports", "0"),
                Map.entry("asr.media.http.max-redirects", "-1"),
                Map.entry("asr.media.fetch.read-timeout", "0 s"),
                Map.entry("asr.media.max-bytes", "0"),
                Map.entry("asr.media.s3.endpoint", "ftp://store"),
                Map.entry("asr.media.s3.endpoint", "https://ak:sk@store"),
                Map.entry("asr.media.s3.oss-endpoints", "https://oss.example/bucket"))) {
            Configuration config = new Configuration();
            config.setString(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> RemoteMediaSettings.from(config))
                    .as(bad.toString())
                    .isInstanceOf(IllegalConfigurationException.class)
                    .hasMessageContaining(bad.getKey());
        }
    }
}
