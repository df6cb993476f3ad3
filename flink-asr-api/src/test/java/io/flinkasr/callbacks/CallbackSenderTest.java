package io.flinkasr.callbacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.flinkasr.api.AccessKey;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.media.remote.OutboundAddresses;
import io.flinkasr.media.remote.RemoteMediaSettings;
import io.flinkasr.records.Callback;
import io.flinkasr.records.CallbackState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One attempt against a real HTTP server on loopback (allow-listed): what is sent and what counts as delivered. */
class CallbackSenderTest {
    private static final AccessKey KEY = new AccessKey(7L, "LTAItenant7", "tenant-7-secret");
    private static final long NOW = 1_764_547_200_123L;
    private static final String EVENT = "{\"EventId\":\"e-1\",\"JobId\":\"j1\",\"State\":\"Finished\"}";

    private HttpServer receiver;
    private final Map<String, Map<String, List<String>>> headersByPath = new ConcurrentHashMap<>();
    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
    private CallbackSender sender;

    @BeforeEach
    void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            headersByPath.put(path, Map.copyOf(exchange.getRequestHeaders()));
            bodies.put(path, exchange.getRequestBody().readAllBytes());
            if (path.equals("/moved")) {
                exchange.getResponseHeaders().add("Location", "/ok");
                exchange.sendResponseHeaders(302, -1);
            } else if (path.equals("/gone")) {
                exchange.sendResponseHeaders(410, -1);
            } else {
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        receiver.start();
        Configuration config = new Configuration();
        config.set(AsrOptions.HTTP_ALLOWED_ADDRESSES, List.of("127.0.0.1/32"));
        config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(receiver.getAddress().getPort()));
        sender = new CallbackSender(new OutboundAddresses(RemoteMediaSettings.from(config)), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        sender.close();
        receiver.stop(0);
    }

    private Callback to(String path) {
        Callback c = new Callback();
        c.jobId = "j1";
        c.eventId = "e-1";
        c.userId = KEY.userId;
        c.accessKeyId = KEY.accessKeyId;
        c.address = "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
        c.event = EVENT;
        c.state = CallbackState.Pending;
        return c;
    }

    @Test
    void postsTheEventSignedWithTheTenantsSecret() {
        assertThat(sender.send(to("/ok"), KEY, 3, NOW)).isEqualTo(new CallbackSender.Outcome(true, null));
        Map<String, List<String>> headers = headersByPath.get("/ok");
        byte[] body = bodies.get("/ok");
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(EVENT);
        assertThat(headers.get("Content-type")).containsExactly("application/json; charset=utf-8");
        assertThat(headers.get("X-flink-asr-event-id")).containsExactly("e-1");
        assertThat(headers.get("X-flink-asr-timestamp")).containsExactly("1764547200");
        assertThat(headers.get("X-flink-asr-access-key-id")).containsExactly("LTAItenant7");
        assertThat(headers.get("X-flink-asr-attempt")).containsExactly("3");
        assertThat(headers.get("X-flink-asr-signature"))
                .containsExactly(CallbackSignature.sign("tenant-7-secret", 1764547200L, body));
    }

    @Test
    void anythingButA2xxIsAFailedAttemptAndRedirectsAreNotFollowed() {
        assertThat(sender.send(to("/moved"), KEY, 1, NOW))
                .isEqualTo(CallbackSender.Outcome.failed("The receiver answered HTTP 302 (redirects are not followed)."));
        assertThat(headersByPath).containsOnlyKeys("/moved");
        assertThat(sender.send(to("/gone"), KEY, 1, NOW)).isEqualTo(CallbackSender.Outcome.failed("The receiver answered HTTP 410."));
    }

    @Test
    void anAddressThePolicyRefusesIsAFailedAttemptThatSendsNothing() {
        Callback elsewhere = to("/ok");
        elsewhere.address = "http://127.0.0.2:" + receiver.getAddress().getPort() + "/ok";
        CallbackSender.Outcome outcome = sender.send(elsewhere, KEY, 1, NOW);
        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.error()).startsWith("The NotifyAddress is refused");
        assertThat(headersByPath).isEmpty();
    }
}
