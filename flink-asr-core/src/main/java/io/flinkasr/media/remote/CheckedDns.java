package io.flinkasr.media.remote;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import okhttp3.Dns;

/**
 * The name lookup OkHttp connects with: it resolves a host once and hands back only the addresses the
 * policy permits for the port, so OkHttp can only connect to an address that was checked (no window for
 * DNS rebinding between a check and the connection). A record, so that two lookups for the same port are
 * equal and OkHttp may reuse their pooled connections.
 */
record CheckedDns(Dns resolver, AddressPolicy policy, int port) implements Dns {

    /** Every address of the host is refused by the policy. */
    static final class Refused extends UnknownHostException {
        Refused() {
            super("refused by the address policy");
        }
    }

    @Override
    public List<InetAddress> lookup(String host) throws UnknownHostException {
        List<InetAddress> permitted = resolve(resolver, host).stream().filter(a -> policy.permits(a, port)).toList();
        if (permitted.isEmpty()) {
            throw new Refused();
        }
        return permitted;
    }

    /**
     * The host's addresses; {@code localhost} and names under it are loopback whatever DNS says (RFC 6761),
     * so that {@code localhost.} cannot slip past as a name that does not resolve at check time.
     */
    static List<InetAddress> resolve(Dns resolver, String host) throws UnknownHostException {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return List.of(
                    InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}),
                    InetAddress.getByAddress(host, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
        }
        return resolver.lookup(host);
    }
}
