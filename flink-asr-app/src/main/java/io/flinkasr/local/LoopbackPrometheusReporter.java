package io.flinkasr.local;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;

/**
 * Flink's Prometheus reporter (the same metric names and labels as {@code PrometheusReporter}), served on one
 * address of this machine instead of every interface: Flink's own reporter has no bind-address setting, and
 * the local stack keeps every listener on loopback.
 */
public final class LoopbackPrometheusReporter extends AbstractPrometheusReporter {
    private final HTTPServer server;

    LoopbackPrometheusReporter(String host, int port) {
        try {
            server = new HTTPServer(new InetSocketAddress(host, port), registryOf(this), true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serve Flink's metrics on " + host + ":" + port, e);
        }
        log.info("Flink metrics for Prometheus at http://{}:{}/metrics", host, server.getPort());
    }

    /** The registry the reporter's collectors go to: Flink keeps it package-private. */
    private static CollectorRegistry registryOf(AbstractPrometheusReporter reporter) {
        try {
            Field registry = AbstractPrometheusReporter.class.getDeclaredField("registry");
            registry.setAccessible(true);
            return (CollectorRegistry) registry.get(reporter);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Flink's AbstractPrometheusReporter has no registry field any more", e);
        }
    }

    @Override
    public void close() {
        server.stop();
        super.close();
    }
}
