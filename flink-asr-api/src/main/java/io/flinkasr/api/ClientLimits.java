package io.flinkasr.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
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
 * {@code readTimeout} to send a request's head, then again its body. Jetty's idle timeout alone lets a
 * client that sends one byte every few seconds keep a connection (and, while a body is read, a thread)
 * for ever; a sweep every {@code sweep} cuts off a connection whose current request has been arriving for
 * longer than the read timeout: a head is closed, a body's blocked read is failed (so that the API can
 * answer RequestTimeout) and the connection closed if that does not end it.
 *
 * <p>The total number of connections is capped by Jetty's {@code ConnectionLimit} (which stops accepting,
 * so the excess waits in the kernel's backlog without a file descriptor of this process).
 */
final class ClientLimits extends AbstractLifeCycle implements Connection.Listener {
    /** When the request a connection is reading began to arrive, and which request (by count) it was. */
    private record Reading(long requests, boolean body, long sinceNanos, boolean nudged) {
        Reading(long requests, boolean body, long sinceNanos) {
            this(requests, body, sinceNanos, false);
        }
    }

    private final int perAddress;
    private final long readTimeoutNanos;
    private final Duration sweep;
    private final Map<InetAddress, AtomicInteger> byAddress = new ConcurrentHashMap<>();
    /**
     * The address each open connection was counted for: a closed channel no longer tells its remote address,
     * so it is remembered from the opening (asking again at closing lost every count, and an address was
     * refused for good after its 64th connection).
     */
    private final Map<Connection, InetAddress> counted = new ConcurrentHashMap<>();
    private final Map<HttpConnection, Reading> reading = new ConcurrentHashMap<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger cutOff = new AtomicInteger();
    private ScheduledExecutorService sweeper;

    ClientLimits(int perAddress, Duration readTimeout, Duration sweep) {
        if (perAddress < 1) {
            throw new IllegalArgumentException("at least one connection per address");
        }
        this.perAddress = perAddress;
        this.readTimeoutNanos = readTimeout.toNanos();
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
            reading.put(http, new Reading(-1, false, System.nanoTime()));
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
        }
        InetAddress address = counted.remove(connection);
        if (address != null) {
            byAddress.computeIfPresent(address, (a, open) -> open.decrementAndGet() <= 0 ? null : open);
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
            if (!arriving) {
                return new Reading(-1, false, now);
            }
            long requests = connection.getMessagesIn();
            boolean body = parser.inContentState();
            if (was.requests() != requests || was.body() != body) {
                return new Reading(requests, body, now); // another request, or its head done: the clock starts again
            }
            if (now - was.sinceNanos() <= readTimeoutNanos) {
                return was;
            }
            if (body && !was.nudged()) {
                // a thread is blocked reading this body: an idle timeout fails that read, and the API
                // answers RequestTimeout (408) instead of the client learning nothing
                cutOff.incrementAndGet();
                connection.getEndPoint().setIdleTimeout(1);
                return new Reading(requests, true, now, true);
            }
            cutOff.incrementAndGet();
            connection.getEndPoint().close();
            return was;
        });
    }
}
