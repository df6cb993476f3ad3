package io.flinkasr.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flinkasr.records.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A client's callback receiver on loopback (the JDK's HTTP server): it records every request and answers
 * each path as told: accept, fail a number of times first, fail until allowed, or hold the request open.
 */
final class CallbackReceiver implements AutoCloseable {
    /**
     * One request as received, with the status it was answered (0: held open, never answered) and when it
     * arrived ({@link System#nanoTime}).
     */
    record Received(String path, Map<String, String> headers, byte[] body, int status, long arrivedNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("the callback body is not JSON", e);
            }
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();
    private final Map<String, Boolean> holding = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);

    CallbackReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(threads);
        server.createContext("/", this::answer);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The path answers 503 to its first {@code failures} requests, then 200. */
    CallbackReceiver failFirst(String path, int failures) {
        failuresLeft.put(path, new AtomicInteger(failures));
        return this;
    }

    /** The path answers 500 until {@link #allow}. */
    CallbackReceiver failUntilAllowed(String path) {
        failing.put(path, true);
        return this;
    }

    void allow(String path) {
        failing.put(path, false);
    }

    /** The path reads the request and never answers (until the receiver closes). */
    CallbackReceiver hold(String path) {
        holding.put(path, true);
        return this;
    }

    /** Requests being held open now. */
    int held() {
        return held.get();
    }

    List<Received> on(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Waits until the requests on the path satisfy the condition, and returns them. */
    List<Received> await(String path, Predicate<List<Received>> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Received> now = on(path);
            if (condition.test(now)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the callbacks on " + path + " did not arrive as expected within " + timeout
                        + "; received " + now.stream().map(Received::status).toList());
            }
            Thread.sleep(100);
        }
    }

    /** The milliseconds between consecutive requests, for printing the back-off a test saw. */
    static List<Long> gapsMillis(List<Received> calls) {
        return java.util.stream.IntStream.range(1, calls.size())
                .mapToObj(i -> (calls.get(i).arrivedNanos() - calls.get(i - 1).arrivedNanos()) / 1_000_000).toList();
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
        if (holding.getOrDefault(path, false)) {
            held.incrementAndGet();
            received.add(new Received(path, headers, body, 0, System.nanoTime()));
            try {
                closing.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            held.decrementAndGet();
            exchange.close();
            return;
        }
        AtomicInteger left = failuresLeft.get(path);
        int status = failing.getOrDefault(path, false) ? 500 : left != null && left.getAndDecrement() > 0 ? 503 : 200;
        received.add(new Received(path, headers, body, status, System.nanoTime()));
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
