package io.flinkasr.operators;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The nudge asks Flink's REST endpoint for a checkpoint after final states: one ask covers a burst, none is lost. */
class CheckpointNudgeTest {
    private HttpServer flink;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch firstArrived = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        flink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        flink.createContext("/", exchange -> {
            asked.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            firstArrived.countDown();
            try {
                release.await(10, TimeUnit.SECONDS); // the first answer waits until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{\"request-id\":\"x\"}".getBytes();
            exchange.sendResponseHeaders(202, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        flink.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        flink.stop(0);
    }

    @Test
    void statesWrittenWhileAnAskIsUnderWayAreCoveredByOneMoreAsk() throws Exception {
        try (CheckpointNudge nudge = new CheckpointNudge("http://127.0.0.1:" + flink.getAddress().getPort() + "/", "0123abcd")) {
            nudge.stateWritten();
            assertThat(firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 50; i++) {
                nudge.stateWritten(); // written after the first checkpoint was asked for: it may not hold them
            }
            release.countDown();
            awaitSent(nudge, 2);

            assertThat(asked).containsOnly("POST /jobs/0123abcd/checkpoints");
            assertThat(asked).as("the 50 states share one more checkpoint").hasSize(2);
        }
    }

    @Test
    void anAnswerThatIsAnErrorStopsNothing() throws Exception {
        release.countDown();
        try (CheckpointNudge nudge = new CheckpointNudge("http://127.0.0.1:1", "job")) {
            nudge.stateWritten();
            awaitSent(nudge, 1);
            nudge.stateWritten();
            awaitSent(nudge, 2);
        }
    }

    private static void awaitSent(CheckpointNudge nudge, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (nudge.sent() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(300); // time for any ask too many to arrive
        assertThat(nudge.sent()).isEqualTo(count);
    }
}
