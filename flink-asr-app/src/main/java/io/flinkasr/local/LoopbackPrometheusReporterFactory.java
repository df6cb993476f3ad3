package io.flinkasr.local;

import java.util.Properties;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Creates a {@link LoopbackPrometheusReporter}: {@code metrics.reporter.<name>.factory.class} set to this class,
 * with {@code metrics.reporter.<name>.host} (default 127.0.0.1) and {@code metrics.reporter.<name>.port}.
 */
public final class LoopbackPrometheusReporterFactory implements MetricReporterFactory {
    static final String HOST = "host";
    static final String PORT = "port";

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new LoopbackPrometheusReporter(properties.getProperty(HOST, "127.0.0.1"),
                Integer.parseInt(properties.getProperty(PORT, "9249")));
    }
}
