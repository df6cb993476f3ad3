package io.flinkasr.media.remote;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which addresses and ports an http(s) InputFile may reach: public addresses and the blocks the operator
 * allow-lists, on the allowed ports only; never a denied port (flink-asr's own listeners) on an address
 * that is not public, allow-listed or not. Everything that is not a public unicast address is refused
 * unless allow-listed: loopback, private, shared (CGNAT), link-local (cloud metadata at
 * 169.254.169.254), unique-local, multicast, broadcast, reserved and documentation ranges. An IPv6
 * address that carries an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) is judged by that
 * IPv4 address, so {@code ::ffff:127.0.0.1} is loopback.
 */
final class AddressPolicy {
    private static final List<AddressBlock> NOT_PUBLIC = Stream.of(
                    // IPv4
                    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
                    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
                    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
                    // IPv6 (the forms that carry an IPv4 address are judged by it, see ipv4Inside)
                    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
                    "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8")
            .map(AddressBlock::parse)
            .toList();

    private final List<AddressBlock> allowed;
    private final Set<Integer> ports;
    private final Set<Integer> deniedPorts;

    AddressPolicy(List<String> allowedBlocks, List<Integer> ports, List<Integer> deniedPorts) {
        this.allowed = allowedBlocks.stream().map(AddressBlock::parse).toList();
        this.ports = Set.copyOf(ports);
        this.deniedPorts = Set.copyOf(deniedPorts);
    }

    /** Whether a connection to {@code address} on {@code port} is allowed. */
    boolean permits(InetAddress address, int port) {
        if (!ports.contains(port)) {
            return false;
        }
        InetAddress judged = ipv4Inside(address);
        if (isPublic(judged)) {
            return true;
        }
        return !deniedPorts.contains(port) && (allowListed(address) || allowListed(judged));
    }

    boolean portAllowed(int port) {
        return ports.contains(port);
    }

    private boolean allowListed(InetAddress address) {
        return allowed.stream().anyMatch(block -> block.contains(address));
    }

    static boolean isPublic(InetAddress address) {
        InetAddress judged = ipv4Inside(address);
        return !(judged.isAnyLocalAddress() || judged.isLoopbackAddress() || judged.isLinkLocalAddress()
                || judged.isSiteLocalAddress() || judged.isMulticastAddress()
                || NOT_PUBLIC.stream().anyMatch(block -> block.contains(judged)));
    }

    /**
     * The IPv4 address an IPv6 address stands for, where it carries one: IPv4-mapped {@code ::ffff:a.b.c.d},
     * IPv4-compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d} and 6to4 {@code 2002:AABB:CCDD::};
     * otherwise the address itself.
     */
    static InetAddress ipv4Inside(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] b = address.getAddress();
        byte[] v4 = null;
        if (zero(b, 0, 10) && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};
        } else if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && zero(b, 4, 12)) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            v4 = new byte[] {b[2], b[3], b[4], b[5]};
        }
        if (v4 == null) {
            return address;
        }
        try {
            return Inet4Address.getByAddress(v4);
        } catch (UnknownHostException e) {
            return address; // four bytes are always an address
        }
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
