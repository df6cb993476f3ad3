package io.flinkasr.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

/**
 * What one client may hold of the API, as a bean on its Jetty connectors: at most {@code perAddress}
 * open connections per remote address (more are closed as soon as they open), and at most
 * {@code readTimeout} to send a request's head, then again its body once a thread reads it, at no less than
 * {@code minBytesPerSecond}. Jetty's idle timeout alone lets a
 * client that sends one byte every few seconds keep a connection (and, while a body is read, a thread)
 * for ever; a sweep every {@code sweep} cuts off a connection whose current request has been arriving for
 * longer than the read timeout: a head is closed, a body's blocked read is failed (so that the API can
 * answer RequestTimeout) and the connection closed if that does not end it.
 *
 * <p>The total number of connections is capped by Jetty's {@code ConnectionLimit} (which stops accepting,
 * so the excess waits in the kernel's backlog without a file descriptor of this process).
 */
final class ClientLimits extends AbstractLifeCycle implements Connection.Listener {
    /**
     * When the request a connection is reading began to arrive (or, for a body, began to be read), which
     * request (by count) it was, and the connection's bytes received by then.
     */
    private record Reading(long requests, boolean body, long sinceNanos, boolean nudged, long bytesIn) {
        Reading(long requests, boolean body, long sinceNanos, long bytesIn) {
            this(requests, body, sinceNanos, false, bytesIn);
        }
    }

    private final int perAddress;
    private final long readTimeoutNanos;
    private final long minBytesPerSecond;
    private final Duration sweep;
    private final Map<InetAddress, AtomicInteger> byAddress = new ConcurrentHashMap<>();
    /**
     * The address each open connection was counted for: a closed channel no longer tells its remote address,
     * so it is remembered from the opening (asking again at closing lost every count, and an address was
     * refused for good after its 64th connection).
     */
    private final Map<Connection, InetAddress> counted = new ConcurrentHashMap<>();
    private final Map<HttpConnection, Reading> reading = new ConcurrentHashMap<>();
    /**
     * Connections whose body a request thread is reading now. A body counts against the read timeout only
     * then: before that the request waits for the API (a busy machine, every thread at work), not for the
     * client, and cutting it off answered 408 to clients that had sent everything.
     */
    private final Set<HttpConnection> readingBody = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger cutOff = new AtomicInteger();
    private ScheduledExecutorService sweeper;

    /**
     * @param minBytesPerSecond slowest a body may arrive while a thread reads it (0: no minimum), checked
     *     from a second after the read began. Jetty's own minimum counts from the body's first byte, so
     *     a request that waited for a thread on a busy machine was cut off with its whole body received.
     */
    ClientLimits(int perAddress, Duration readTimeout, long minBytesPerSecond, Duration sweep) {
        if (perAddress < 1) {
            throw new IllegalArgumentException("at least one connection per address");
        }
        this.perAddress = perAddress;
        this.readTimeoutNanos = readTimeout.toNanos();
        this.minBytesPerSecond = minBytesPerSecond;
        this.sweep = sweep;
    }

    @Override
    protected void doStart() {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "api-client-limits");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, sweep.toMillis(), sweep.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        sweeper.shutdownNow();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            reading.put(http, new Reading(-1, false, System.nanoTime(), 0));
        }
        InetAddress address = networkAddress(connection);
        if (address != null) {
            counted.put(connection, address);
            int open = byAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
            if (open > perAddress) {
                refused.incrementAndGet();
                connection.getEndPoint().close();
            }
        }
    }

    @Override
    public void onClosed(Connection connection) {
        if (connection instanceof HttpConnection http) {
            reading.remove(http);
            readingBody.remove(http);
        }
        InetAddress address = counted.remove(connection);
        if (address != null) {
            byAddress.computeIfPresent(address, (a, open) -> open.decrementAndGet() <= 0 ? null : open);
        }
    }

    /** A request thread begins to read the body of the connection's current request. */
    void bodyReadStarts(HttpConnection connection) {
        if (connection != null) {
            readingBody.add(connection);
        }
    }

    /** The thread has read the body (or given up). */
    void bodyReadEnds(HttpConnection connection) {
        if (connection != null) {
            readingBody.remove(connection);
        }
    }

    /** Connections open now from an address. */
    int openFrom(InetAddress address) {
        AtomicInteger open = byAddress.get(address);
        return open == null ? 0 : open.get();
    }

    /** Connections closed because their address had too many, and requests cut off for arriving too slowly. */
    int refused() {
        return refused.get();
    }

    int cutOff() {
        return cutOff.get();
    }

    /** The client's address, counted once per network connection (not again for the HTTP inside TLS). */
    private static InetAddress networkAddress(Connection connection) {
        if (!(connection.getEndPoint() instanceof SocketChannelEndPoint endPoint)) {
            return null;
        }
        InetSocketAddress remote = endPoint.getRemoteAddress();
        return remote == null ? null : remote.getAddress();
    }

    private void sweep() {
        long now = System.nanoTime();
        reading.replaceAll((connection, was) -> {
            HttpParser parser = connection.getParser();
            HttpParser.State state = parser.getState();
            boolean arriving = state != HttpParser.State.START && state.ordinal() < HttpParser.State.END.ordinal();
            long bytesIn = connection.getBytesIn();
            if (!arriving) {
                return new Reading(-1, false, now, bytesIn);
            }
            long requests = connection.getMessagesIn();
            boolean body = parser.inContentState();
            if (body && !readingBody.contains(connection)) {
                return new Reading(requests, true, now, bytesIn); // the request waits for a thread of the API, not for the client
            }
            if (was.requests() != requests || was.body() != body) {
                return new Reading(requests, body, now, bytesIn); // another request, or its head done: the clock starts again
            }
            long elapsed = now - was.sinceNanos();
            boolean tooSlow = body && minBytesPerSecond > 0 && elapsed >= 1_000_000_000L
                    && (bytesIn - was.bytesIn()) * 1_000_000_000.0 / elapsed < minBytesPerSecond;
            if (elapsed <= readTimeoutNanos && !tooSlow) {
                return was;
            }
            if (body && !was.nudged()) {
                // a thread is blocked reading this body: an idle timeout fails that read, and the API
                // answers RequestTimeout (408) instead of the client learning nothing
                cutOff.incrementAndGet();
                connection.getEndPoint().setIdleTimeout(1);
                return new Reading(requests, true, now, true, bytesIn);
            }
            cutOff.incrementAndGet();
            connection.getEndPoint().close();
            return was;
        });
    }
}
