package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** /health with a leading and a standby JobManager: a dead one does not make the pipeline look down. */
class FlinkRestHealthTest {

    @Test
    void aDeadJobManagerIsPassedOverForOneThatAnswers() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort(); // closed again: nothing listens there
        }
        HttpServer standby = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        standby.createContext("/jobs/overview", exchange -> {
            byte[] body = "{\"jobs\":[{\"name\":\"flink-asr\",\"state\":\"RUNNING\",\"start-time\":1}]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        standby.start();
        try {
            String both = "http://127.0.0.1:" + dead + ", http://127.0.0.1:" + standby.getAddress().getPort();
            assertThat(new FlinkRestHealth(both).pipelineState()).isEqualTo(PipelineHealth.RUNNING);
            assertThat(new FlinkRestHealth("http://127.0.0.1:" + dead).pipelineState()).isEqualTo("FLINK_REST_UNREACHABLE");
        } finally {
            standby.stop(0);
        }
    }
}
