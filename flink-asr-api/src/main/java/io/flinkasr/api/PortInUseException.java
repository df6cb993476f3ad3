package io.flinkasr.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** The API cannot listen: another process holds its port. */
public final class PortInUseException extends RuntimeException {
    private final int port;
    private final boolean tls;

    public PortInUseException(String host, int port, boolean tls) {
        super("port " + port + " on " + host + " is in use");
        this.port = port;
        this.tls = tls;
    }

    public int port() {
        return port;
    }

    /** Whether it is the HTTPS port (asr.api.tls.port) rather than the HTTP one. */
    public boolean tls() {
        return tls;
    }

    /** Throws when nothing could listen on host:port now (port 0, any free port, always passes). */
    public static void requireFree(String host, int port, boolean tls) {
        if (port != 0 && !free(host, port)) {
            throw new PortInUseException(host, port, tls);
        }
    }

    static boolean free(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as Jetty binds
            s.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
