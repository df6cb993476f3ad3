package io.flinkasr.media.remote;

import io.flinkasr.testing.FreePorts;
import io.flinkasr.media.MediaException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.media.remote.RemoteMedia.FetchStep;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dns;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http(s) InputFiles against real HTTP servers on loopback addresses. */
class RemoteMediaHttpTest {
    private static final int STEP = 64 * 1024;
    private static final byte[] TALK = randomBytes(300_000, 1);
    private static final byte[] OTHER_TALK = randomBytes(200_000, 2);
    /** A public address (example.com's); nothing here ever connects to it. */
    private static final String PUBLIC = "93.184.216.34";
    private static final String MEDIA_HOST = "media.example.test";

    @TempDir Path dir;
    MediaServer server;
    Path target;

    @BeforeEach
    void start() throws IOException {
        server = new MediaServer("127.0.0.1").serve(TALK);
        target = dir.resolve("staging").resolve("job-1.media");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void fetchesInBoundedStepsByteForByte() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed()))) {
            List<FetchStep> steps = fetchAll(media, server.url("/media.bin"), 0);

            assertThat(steps).hasSize(5); // 300,000 bytes in steps of 65,536
            assertThat(steps).allSatisfy(step -> assertThat(step.totalBytes()).isEqualTo(TALK.length));
            assertThat(steps.get(0)).isEqualTo(new FetchStep(STEP, false, TALK.length));
            assertThat(steps.get(4)).isEqualTo(new FetchStep(TALK.length, true, TALK.length));
            assertThat(Files.readAllBytes(target)).isEqualTo(TALK);
            assertThat(server.rangeRequests()).isEqualTo(5);
        }
    }

    @Test
    void resumesAfterARestartFromWhatTheFileHolds() throws Exception {
        String url = server.url("/media.bin");
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed()))) {
            media.fetch(url, target, 0, STEP);
            media.fetch(url, target, STEP, STEP);
        }
        // a step that wrote more than the caller recorded: the caller's offset wins
        Files.write(target, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

        try (RemoteMedia restarted = new RemoteMedia(settings(loopbackAllowed()))) {
            List<FetchStep> steps = fetchAll(restarted, url, 2 * STEP);

            assertThat(steps).hasSize(3);
            assertThat(Files.readAllBytes(target)).isEqualTo(TALK);
        }
    }

    @Test
    void createsAMissingStagingFile() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed()))) {
            assertThat(media.fetch(server.url("/media.bin"), target, 0, STEP)).isEqualTo(new FetchStep(STEP, false, TALK.length));
            assertThat(Files.size(target)).isEqualTo(STEP);
        }
    }

    @Test
    void readsFromServersThatIgnoreRanges() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed()))) {
            List<FetchStep> steps = fetchAll(media, server.url("/no-range.bin"), 0);

            assertThat(steps).hasSize(5);
            assertThat(steps.get(4)).isEqualTo(new FetchStep(TALK.length, true, TALK.length));
            assertThat(Files.readAllBytes(target)).isEqualTo(TALK);
        }
    }

    @Test
    void readsStreamsOfUnknownLengthToTheirEnd() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed()))) {
            List<FetchStep> steps = fetchAll(media, server.url("/streamed.bin"), 0);

            assertThat(steps.get(0).totalBytes()).isEqualTo(-1);
            assertThat(steps.get(steps.size() - 1)).isEqualTo(new FetchStep(TALK.length, true, TALK.length));
            assertThat(Files.readAllBytes(target)).isEqualTo(TALK);
        }
    }

    @Test
    void startsOverWhenTheObjectIsReplacedBetweenSteps() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed()))) {
            String url = server.url("/media.bin");
            media.fetch(url, target, 0, STEP);
            server.serve(OTHER_TALK);

            List<FetchStep> steps = fetchAll(media, url, STEP);

            assertThat(steps.get(0)).isEqualTo(new FetchStep(STEP, false, OTHER_TALK.length));
            assertThat(Files.readAllBytes(target)).isEqualTo(OTHER_TALK);
        }
    }

    @Test
    void completesAFileThatHoldsTheWholeObjectAlready() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(target, TALK);
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed()))) {
            assertThat(media.fetch(server.url("/media.bin"), target, TALK.length, STEP))
                    .isEqualTo(new FetchStep(TALK.length, true, TALK.length));
        }
    }

    @Test
    void saysNotFoundForA404() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed()))) {
            assertCode(() -> media.fetch(server.url("/missing.mp4"), target, 0, STEP), "InputFile.NotFound");
        }
    }

    @Test
    void followsRedirectsUpToTheLimit() throws Exception {
        Configuration config = loopbackAllowed();
        config.set(AsrOptions.HTTP_MAX_REDIRECTS, 2);
        try (RemoteMedia media = new RemoteMedia(settings(config))) {
            assertThat(media.fetch(server.url("/redirect/1"), target, 0, STEP).bytes()).isEqualTo(STEP);
            assertCode(() -> media.fetch(server.url("/redirect/2"), target, 0, STEP), "InputFile.AccessDenied");
        }
    }

    @Test
    void refusesOtherPortsOfAnAllowListedAddressDirectlyAndThroughRedirects() throws Exception {
        Configuration config = new Configuration();
        config.set(AsrOptions.HTTP_ALLOWED_ADDRESSES, List.of("127.0.0.1/32"));
        config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(server.port()));
        try (MediaServer otherPort = new MediaServer("127.0.0.1").serve(TALK);
                RemoteMedia media = new RemoteMedia(settings(config))) {
            assertThat(media.fetch(server.url("/media.bin"), target, 0, STEP).bytes()).isEqualTo(STEP);

            assertCode(() -> media.fetch(otherPort.url("/media.bin"), target, 0, STEP), "InputFile.AccessDenied");
            assertCode(() -> media.fetch(server.url("/to?" + otherPort.url("/media.bin")), target, 0, STEP), "InputFile.AccessDenied");
            assertCode(() -> media.check(otherPort.url("/media.bin")), "InputFile.AccessDenied");
            assertThat(otherPort.requests()).isZero();
        }
    }

    @Test
    void marksEveryRequestAsTheFetchersOwn() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed()))) {
            fetchAll(media, server.url("/redirect/2"), 0);
        }
        assertThat(server.requests()).isGreaterThan(3);
        assertThat(server.markedRequests()).isEqualTo(server.requests());
    }

    @Test
    void refusesRedirectsFromAnAllowedHostToLoopbackOrPrivateAddresses() throws Exception {
        Configuration config = new Configuration();
        config.set(AsrOptions.HTTP_ALLOWED_ADDRESSES, List.of("127.0.0.1/32"));
        try (MediaServer inner = new MediaServer("127.0.0.2").serve(TALK);
                RemoteMedia media = new RemoteMedia(settings(config), resolving(Map.of(MEDIA_HOST, "127.0.0.2")))) {
            assertThat(media.fetch(server.url("/media.bin"), target, 0, STEP).bytes()).isEqualTo(STEP);

            for (String location : List.of(
                    inner.url("/media.bin"),
                    "http://" + MEDIA_HOST + ":" + inner.port() + "/media.bin",
                    "http://[::ffff:127.0.0.2]:" + inner.port() + "/media.bin",
                    "http://169.254.169.254/latest/meta-data",
                    "http://10.0.0.1/media.bin",
                    "http://0x7f000002:" + inner.port() + "/media.bin")) {
                assertCode(() -> media.fetch(server.url("/to?" + location), target, 0, STEP), "InputFile.AccessDenied");
            }
            assertThat(inner.requests()).isZero();
        }
    }

    @Test
    void endsWithATimeoutWhenTheServerNeverAnswers() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            Configuration config = loopbackAllowed(silent.getLocalPort());
            config.set(AsrOptions.FETCH_READ_TIMEOUT, Duration.ofMillis(500));
            try (RemoteMedia media = new RemoteMedia(settings(config))) {
            List<Socket> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // and never answer
                    }
                } catch (IOException closed) {
                    accepted.forEach(socket -> {
                        try {
                            socket.close();
                        } catch (IOException e) {
                            // the test is over
                        }
                    });
                }
            });
            acceptor.start();
            long started = System.nanoTime();

            assertCode(() -> media.fetch("http://127.0.0.1:" + silent.getLocalPort() + "/talk.mp4", target, 0, STEP),
                    "InputFile.Timeout");

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void keepsWhatArrivedBeforeAServerStalled() throws Exception {
        Configuration config = loopbackAllowed();
        config.set(AsrOptions.FETCH_READ_TIMEOUT, Duration.ofMillis(300));
        try (RemoteMedia media = new RemoteMedia(settings(config))) {
            String url = server.url("/stalls-after/10000");

            assertThat(media.fetch(url, target, 0, STEP)).isEqualTo(new FetchStep(10_000, false, TALK.length));
            assertThat(Files.readAllBytes(target)).isEqualTo(java.util.Arrays.copyOf(TALK, 10_000));
            // the next step gets nothing new before the server stalls again
            assertCode(() -> media.fetch(url, target, 10_000, STEP), "InputFile.Timeout");
        }
    }

    @Test
    void verifiesCertificates() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder("keytool", "-genkeypair", "-alias", "media", "-keyalg", "EC",
                "-validity", "2", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(keytool.waitFor()).isZero();
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory keys =
                javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        com.sun.net.httpserver.HttpsServer https =
                com.sun.net.httpserver.HttpsServer.create(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 4);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
        AtomicInteger requests = new AtomicInteger();
        https.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        https.start();
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed(https.getAddress().getPort())))) {
            String url = "https://127.0.0.1:" + https.getAddress().getPort() + "/talk.mp4";

            assertCode(() -> media.fetch(url, target, 0, STEP), "InputFile.Unreachable"); // self-signed
            assertThat(requests).hasValue(0);
        } finally {
            https.stop(0);
        }
    }

    @Test
    void refusesAnAnnouncedSizeOverTheLimitBeforeFetching() throws Exception {
        Configuration config = loopbackAllowed();
        config.set(AsrOptions.MEDIA_MAX_BYTES, MemorySize.parse("100kb"));
        try (RemoteMedia media = new RemoteMedia(settings(config))) {
            assertCode(() -> media.fetch(server.url("/media.bin"), target, 0, STEP), "InputFile.TooLarge");
            assertCode(() -> media.fetch(server.url("/no-range.bin"), target, 0, STEP), "InputFile.TooLarge");
            assertThat(Files.size(target)).isZero();
        }
    }

    @Test
    void stopsAStreamThatGrowsOverTheLimit() throws Exception {
        Configuration config = loopbackAllowed();
        config.set(AsrOptions.MEDIA_MAX_BYTES, MemorySize.parse("100kb"));
        try (RemoteMedia media = new RemoteMedia(settings(config))) {
            media.fetch(server.url("/streamed.bin"), target, 0, STEP);

            assertCode(() -> media.fetch(server.url("/streamed.bin"), target, STEP, STEP), "InputFile.TooLarge");
            assertThat(Files.size(target)).isLessThanOrEqualTo(100 * 1024);
        }
    }

    @Test
    void refusesLoopbackPrivateAndMetadataAddressesWithoutAskingThem() throws Exception {
        int port = server.port();
        Configuration config = new Configuration();
        config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(80, 443, port)); // so that only the address decides
        List<String> refused = List.of(
                "http://127.0.0.1:" + port + "/media.bin",
                "http://localhost/media.bin",
                "http://localhost:" + port + "/media.bin",
                "http://LOCALHOST.:" + port + "/media.bin",
                "http://media.localhost:" + port + "/media.bin",
                "http://[::1]/media.bin",
                "http://[::1]:" + port + "/media.bin",
                "http://[::ffff:127.0.0.1]:" + port + "/media.bin",
                "http://[::ffff:7f00:1]:" + port + "/media.bin",
                "http://169.254.169.254/latest/meta-data",
                "http://10.0.0.1/",
                "http://172.16.5.4/",
                "http://192.168.1.1/",
                "http://100.64.0.1/",
                "http://0.0.0.0:" + port + "/media.bin",
                "http://0x7f000001/",
                "http://0x7f000001:" + port + "/media.bin",
                "http://2130706433:" + port + "/media.bin",
                "http://127.1:" + port + "/media.bin",
                "http://0177.0.0.1:" + port + "/media.bin",
                "http://[fd00::1]/",
                "http://[fe80::1]/",
                "http://[64:ff9b::7f00:1]/",
                "http://224.0.0.1/",
                "http://255.255.255.255/",
                "http://" + MEDIA_HOST + ":" + port + "/media.bin",
                "https://" + MEDIA_HOST + ":" + port + "/media.bin");
        try (RemoteMedia media = new RemoteMedia(settings(config), resolving(Map.of(MEDIA_HOST, "127.0.0.1")))) {
            for (String url : refused) {
                assertCode(() -> media.check(url), "InputFile.AccessDenied");
                assertCode(() -> media.fetch(url, target, 0, STEP), "InputFile.AccessDenied");
            }
        }
        assertThat(server.requests()).isZero();
    }

    @Test
    void connectsToTheAddressItCheckedNotToWhatTheNameResolvesToLater() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        Dns rebinding = host -> List.of(InetAddress.getByName(lookups.getAndIncrement() == 0 ? PUBLIC : "127.0.0.1"));
        Configuration config = new Configuration();
        config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(80, 443, server.port()));
        try (RemoteMedia media = new RemoteMedia(settings(config), rebinding)) {
            String url = "http://" + MEDIA_HOST + ":" + server.port() + "/media.bin";
            media.check(url); // resolves to the public address

            assertCode(() -> media.fetch(url, target, 0, STEP), "InputFile.AccessDenied");
        }
        assertThat(server.requests()).isZero();
    }

    @Test
    void connectsOnlyToThePermittedAddressesOfAName() throws Exception {
        Configuration config = new Configuration();
        config.set(AsrOptions.HTTP_ALLOWED_ADDRESSES, List.of("127.0.0.1"));
        Dns twoAddresses = host -> List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1"));
        try (MediaServer other = new MediaServer("127.0.0.2", server.port()).serve(TALK); // first in the answer
                RemoteMedia media = new RemoteMedia(settings(config), twoAddresses)) {
            String url = "http://" + MEDIA_HOST + ":" + server.port() + "/media.bin";

            assertThat(media.fetch(url, target, 0, STEP).bytes()).isEqualTo(STEP);
            assertThat(other.requests()).isZero();
        }
    }

    @Test
    void refusesPortsThatAreNotAllowedOnPublicAddresses() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(new Configuration()), resolving(Map.of(MEDIA_HOST, PUBLIC)))) {
            media.check("http://" + MEDIA_HOST + "/talk.mp4");
            media.check("https://" + MEDIA_HOST + ":443/talk.mp4");
            media.check("http://" + PUBLIC + "/talk.mp4");

            assertCode(() -> media.check("http://" + MEDIA_HOST + ":8080/talk.mp4"), "InputFile.AccessDenied");
            assertCode(() -> media.check("http://" + PUBLIC + ":22/talk.mp4"), "InputFile.AccessDenied");
            assertCode(() -> media.check("http://unresolvable.example.test:8080/talk.mp4"), "InputFile.AccessDenied");
        }
    }

    @Test
    void refusesMalformedInputs() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(new Configuration()), resolving(Map.of(MEDIA_HOST, PUBLIC)))) {
            for (String input : List.of(
                    "http://user:secret@" + MEDIA_HOST + "/talk.mp4",
                    "https://user@" + MEDIA_HOST + "/talk.mp4",
                    "http://",
                    "http://" + MEDIA_HOST + ":99999/talk.mp4",
                    "http://1.2.3.999/talk.mp4",
                    "http://" + MEDIA_HOST + "/talk\r\nHost: evil.mp4",
                    "ftp://" + MEDIA_HOST + "/talk.mp4",
                    "/media/talk.mp4")) {
                assertCode(() -> media.check(input), "InvalidParameter.InputFile");
                assertCode(() -> media.fetch(input, target, 0, STEP), "InvalidParameter.InputFile");
            }
        }
    }

    @Test
    void saysUnreachableWhenNothingListens() throws Exception {
        int closedPort = FreePorts.one();
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed(closedPort)))) {
            assertCode(() -> media.fetch("http://127.0.0.1:" + closedPort + "/talk.mp4", target, 0, STEP),
                    "InputFile.Unreachable");
            assertCode(() -> media.fetch("http://unresolvable.invalid/talk.mp4", target, 0, STEP), "InputFile.Unreachable");
        }
    }

    @Test
    void messagesNameNoUrlHostOrPath() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(loopbackAllowed()))) {
            assertThatThrownBy(() -> media.fetch(server.url("/missing.mp4?Signature=s3cr3t"), target, 0, STEP))
                    .hasMessageNotContaining("s3cr3t")
                    .hasMessageNotContaining("127.0.0.1")
                    .hasMessageNotContaining("missing.mp4")
                    .hasMessageNotContaining(dir.toString());
        }
    }

    @Test
    void tellsRemoteInputsFromLocalOnes() {
        assertThat(RemoteMedia.isRemote("http://example.com/a.mp4")).isTrue();
        assertThat(RemoteMedia.isRemote("HTTPS://example.com/a.mp4")).isTrue();
        assertThat(RemoteMedia.isRemote("oss://bucket/a.mp4")).isTrue();
        assertThat(RemoteMedia.isRemote("S3://bucket/a.mp4")).isTrue();
        assertThat(RemoteMedia.isRemote("/media/a.mp4")).isFalse();
        assertThat(RemoteMedia.isRemote("file:///media/a.mp4")).isFalse();
        assertThat(RemoteMedia.isRemote("ftp://example.com/a.mp4")).isFalse();
    }

    /** Fetches until complete, checking that every step stays within its bound. */
    private List<FetchStep> fetchAll(RemoteMedia media, String url, long from) throws MediaException {
        return Fetches.all(media, url, target, from, STEP);
    }

    private static Configuration loopbackAllowed() {
        Configuration config = new Configuration();
        config.set(AsrOptions.HTTP_ALLOWED_ADDRESSES, List.of("127.0.0.0/8"));
        return config;
    }

    /** Loopback allowed, on the test server's port and on {@code port}. */
    private Configuration loopbackAllowed(int port) {
        Configuration config = loopbackAllowed();
        config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(server.port(), port));
        return config;
    }

    /** The settings, with the test server's port allowed unless the test says which ports are. */
    private RemoteMediaSettings settings(Configuration config) {
        if (!config.contains(AsrOptions.HTTP_ALLOWED_PORTS)) {
            config.set(AsrOptions.HTTP_ALLOWED_PORTS, List.of(80, 443, server.port()));
        }
        if (!config.contains(AsrOptions.FETCH_CONNECT_TIMEOUT)) {
            config.set(AsrOptions.FETCH_CONNECT_TIMEOUT, Duration.ofSeconds(2));
        }
        if (!config.contains(AsrOptions.FETCH_READ_TIMEOUT)) {
            config.set(AsrOptions.FETCH_READ_TIMEOUT, Duration.ofSeconds(5));
        }
        return RemoteMediaSettings.from(config);
    }

    /** A resolver that knows some test names and asks the system for the rest. */
    private static Dns resolving(Map<String, String> names) {
        return host -> {
            String address = names.get(host);
            if (address == null) {
                return Dns.SYSTEM.lookup(host);
            }
            try {
                return List.of(InetAddress.getByName(address));
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        };
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String code) {
        assertThatThrownBy(call)
                .isInstanceOf(MediaException.class)
                .satisfies(e -> assertThat(((MediaException) e).code()).as(e.getMessage()).isEqualTo(code));
    }
}
