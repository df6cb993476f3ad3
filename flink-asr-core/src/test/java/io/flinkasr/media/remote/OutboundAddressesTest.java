package io.flinkasr.media.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.flinkasr.config.AsrOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The media fetcher's policy for other outbound requests (completion callbacks): checked at submit, and
 * again at the request, where a name that resolved to a permitted address then may resolve elsewhere now.
 */
class OutboundAddressesTest {
    private static final String HOOKS = "hooks.example.test";

    private HttpServer receiver;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicReference<String> resolvesTo = new AtomicReference<>("127.0.0.1");
    private OutboundAddresses addresses;

    @BeforeEach
    void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        Configuration config = new Configuration();
        config.set(AsrOptions.HTTP_ALLOWED_ADDRESSES, List.of("127.0.0.1/32"));
        config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(receiver.getAddress().getPort()));
        addresses = new OutboundAddresses(RemoteMediaSettings.from(config),
                host -> List.of(InetAddress.getByAddress(host, InetAddress.getByName(resolvesTo.get()).getAddress())));
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    private HttpUrl hook() throws OutboundAddresses.Refused {
        return OutboundAddresses.url("http://" + HOOKS + ":" + receiver.getAddress().getPort() + "/hook");
    }

    @Test
    void aNameThatResolvesElsewhereSinceTheCheckIsRefusedAtTheRequest() throws Exception {
        OkHttpClient base = new OkHttpClient();
        assertThatCode(() -> addresses.check(hook())).doesNotThrowAnyException();
        try (Response response = addresses.clientFor(base, hook()).newCall(new Request.Builder().url(hook()).build()).execute()) {
            assertThat(response.code()).isEqualTo(204);
        }
        assertThat(requests.get()).isEqualTo(1);

        // a pooled connection goes on to the address checked when it was opened; a new one asks DNS again
        base.connectionPool().evictAll();
        resolvesTo.set("127.0.0.2"); // the name now points at another loopback address, which is not allow-listed
        assertThatThrownBy(() -> addresses.check(hook())).isInstanceOf(OutboundAddresses.Refused.class);
        OkHttpClient client = addresses.clientFor(base, hook());
        assertThatThrownBy(() -> client.newCall(new Request.Builder().url(hook()).build()).execute())
                .isInstanceOfSatisfying(IOException.class, e -> assertThat(OutboundAddresses.refusedByPolicy(e)).isTrue());
        resolvesTo.set("169.254.169.254");
        assertThatThrownBy(() -> client.newCall(new Request.Builder().url(hook()).build()).execute())
                .isInstanceOfSatisfying(IOException.class, e -> assertThat(OutboundAddresses.refusedByPolicy(e)).isTrue());
        assertThat(requests.get()).as("nothing more reached any server").isEqualTo(1);
    }

    @Test
    void literalAddressesAreCheckedBeforeAnyConnection() throws Exception {
        int port = receiver.getAddress().getPort();
        assertThatThrownBy(() -> addresses.clientFor(new OkHttpClient(), OutboundAddresses.url("http://127.0.0.2:" + port + "/")))
                .isInstanceOf(OutboundAddresses.Refused.class);
        assertThatThrownBy(() -> addresses.clientFor(new OkHttpClient(), OutboundAddresses.url("http://0x7f000002:" + port + "/")))
                .isInstanceOf(OutboundAddresses.Refused.class);
        assertThat(OutboundAddresses.url("http://2130706433:" + port + "/x").host()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> OutboundAddresses.url("gopher://127.0.0.1/")).isInstanceOf(OutboundAddresses.Refused.class);
        assertThatThrownBy(() -> OutboundAddresses.url("http://a:b@127.0.0.1/")).isInstanceOf(OutboundAddresses.Refused.class);
        assertThat(requests.get()).isZero();
    }
}
