package io.flinkasr.media;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
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
        List<InetAddress> permitted = resolver.lookup(host).stream().filter(a -> policy.permits(a, port)).toList();
        if (permitted.isEmpty()) {
            throw new Refused();
        }
        return permitted;
    }
}
