package io.flinkasr.media.remote;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server for the tests (the JDK's), on one loopback address, that counts every request it
 * gets. It serves one object, replaceable, at:
 *
 * <ul>
 *   <li>{@code /media.bin}: with ranges ({@code Range: bytes=a-b}, {@code bytes=a-}), an ETag and If-Range;
 *   <li>{@code /no-range.bin}: the whole object with its length, whatever the request asks;
 *   <li>{@code /streamed.bin}: the whole object, chunked, without a length and without ranges;
 *   <li>{@code /stalls-after/N}: the whole object announced, N bytes of it sent, then silence;
 * </ul>
 *
 * and {@code /redirect/N} (a chain of N redirects ending at /media.bin), {@code /to?LOCATION} (one redirect
 * to LOCATION); anything else is 404.
 */
final class MediaServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger rangeRequests = new AtomicInteger();
    private final AtomicInteger markedRequests = new AtomicInteger();
    private volatile byte[] content = new byte[0];
    private volatile String etag = "\"v0\"";
    private int version;

    MediaServer(String address) throws IOException {
        this(address, 0);
    }

    MediaServer(String address, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    synchronized MediaServer serve(byte[] object) {
        content = object.clone();
        etag = "\"v" + (++version) + "\"";
        return this;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        String host = server.getAddress().getAddress().getHostAddress();
        return "http://" + host + ":" + port() + path;
    }

    /** Every request the server got, answered or not. */
    int requests() {
        return requests.get();
    }

    int rangeRequests() {
        return rangeRequests.get();
    }

    /** Requests that carried the fetcher's mark ({@link OutboundAddresses#FETCHER_HEADER}). */
    int markedRequests() {
        return markedRequests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        if (exchange.getRequestHeaders().getFirst(OutboundAddresses.FETCHER_HEADER) != null) {
            markedRequests.incrementAndGet();
        }
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] object = content;
            if (path.equals("/media.bin")) {
                serveRanges(exchange, object);
            } else if (path.equals("/no-range.bin")) {
                send(exchange, 200, object, 0, object.length);
            } else if (path.equals("/streamed.bin")) {
                exchange.sendResponseHeaders(200, 0); // chunked, no length
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(object);
                }
            } else if (path.startsWith("/stalls-after/")) {
                stall(exchange, object, Integer.parseInt(path.substring("/stalls-after/".length())));
            } else if (path.startsWith("/redirect/")) {
                int left = Integer.parseInt(path.substring("/redirect/".length()));
                redirect(exchange, left == 0 ? "/media.bin" : "/redirect/" + (left - 1));
            } else if (path.equals("/to")) {
                redirect(exchange, exchange.getRequestURI().getRawQuery());
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private void serveRanges(HttpExchange exchange, byte[] object) throws IOException {
        exchange.getResponseHeaders().set("ETag", etag);
        exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
        String range = exchange.getRequestHeaders().getFirst("Range");
        String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
        Matcher m = range == null ? null : RANGE.matcher(range);
        if (m == null || !m.matches() || (ifRange != null && !ifRange.equals(etag))) {
            send(exchange, 200, object, 0, object.length);
            return;
        }
        rangeRequests.incrementAndGet();
        long first = Long.parseLong(m.group(1));
        if (first >= object.length) {
            exchange.getResponseHeaders().set("Content-Range", "bytes */" + object.length);
            exchange.sendResponseHeaders(416, -1);
            return;
        }
        long last = m.group(2).isEmpty() ? object.length - 1 : Math.min(Long.parseLong(m.group(2)), object.length - 1);
        exchange.getResponseHeaders().set("Content-Range", "bytes " + first + "-" + last + "/" + object.length);
        send(exchange, 206, object, (int) first, (int) (last - first + 1));
    }

    /** The whole object announced, {@code n} bytes of it sent, then nothing until the server closes. */
    private void stall(HttpExchange exchange, byte[] object, int n) throws IOException {
        exchange.sendResponseHeaders(200, object.length);
        OutputStream out = exchange.getResponseBody();
        out.write(object, 0, n);
        out.flush();
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] object, int from, int length) throws IOException {
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        if (length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(object, from, length);
            }
        }
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(302, -1);
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
