package io.flinkasr.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which metrics reporter the local stack's MiniCluster gets. */
class LocalStackMetricsTest {
    private static final String PROM = "metrics.reporter.prom.";

    @TempDir Path dataDir;

    @Test
    void flinkMetricsAreServedOnLoopbackByDefault() throws Exception {
        Configuration flink = LocalStack.miniClusterConfig(new Configuration(), dataDir);

        assertThat(flink.getString(PROM + "factory.class", null)).isEqualTo(LoopbackPrometheusReporterFactory.class.getName());
        assertThat(flink.getString(PROM + "host", null)).isEqualTo("127.0.0.1");
        assertThat(Integer.parseInt(flink.getString(PROM + "port", null))).isBetween(9249, 9348);
    }

    @Test
    void aPortOrHostGivenIsKept() throws Exception {
        Configuration given = new Configuration();
        given.setString(PROM + "port", "9300");
        given.setString(PROM + "host", "10.0.0.5");
        Configuration flink = LocalStack.miniClusterConfig(given, dataDir);

        assertThat(flink.getString(PROM + "factory.class", null)).isEqualTo(LoopbackPrometheusReporterFactory.class.getName());
        assertThat(flink.getString(PROM + "port", null)).isEqualTo("9300");
        assertThat(flink.getString(PROM + "host", null)).isEqualTo("10.0.0.5");
    }

    @Test
    void anotherReporterReplacesIt() throws Exception {
        Configuration given = new Configuration();
        given.setString("metrics.reporter.jmx.factory.class", "org.apache.flink.metrics.jmx.JMXReporterFactory");
        Configuration flink = LocalStack.miniClusterConfig(given, dataDir);

        assertThat(flink.keySet()).noneMatch(key -> key.startsWith(PROM));
    }
}
