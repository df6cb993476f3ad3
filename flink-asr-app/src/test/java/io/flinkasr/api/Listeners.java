package io.flinkasr.api;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The TCP sockets of this JVM, as Linux shows them in /proc: which listen, on which address. */
final class Listeners {
    /** A socket of this process: its local address and port, remote address and port, and its inode. */
    record TcpSocket(InetAddress local, int port, InetAddress remote, int remotePort, String state, long inode) {}

    private Listeners() {}

    /** Every TCP socket this process holds a file descriptor of. */
    static List<TcpSocket> ofThisProcess() throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | RuntimeException gone) {
                    // closed meanwhile
                }
            });
        }
        return Stream.concat(table("/proc/self/net/tcp"), table("/proc/self/net/tcp6"))
                .filter(s -> inodes.contains(s.inode()))
                .toList();
    }

    /** The listening sockets among them. */
    static List<TcpSocket> listening() throws IOException {
        return ofThisProcess().stream().filter(s -> s.state().equals("0A")).toList();
    }

    private static Stream<TcpSocket> table(String file) {
        try {
            return Files.readAllLines(Path.of(file)).stream().skip(1).map(line -> {
                String[] f = line.strip().split("\\s+");
                String[] local = f[1].split(":");
                String[] remote = f[2].split(":");
                return new TcpSocket(address(local[0]), Integer.parseInt(local[1], 16),
                        address(remote[0]), Integer.parseInt(remote[1], 16), f[3], Long.parseLong(f[9]));
            });
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    /** /proc writes addresses as 32-bit words in host (little-endian) order. */
    private static InetAddress address(String hex) {
        byte[] raw = new BigInteger("1" + hex, 16).toByteArray(); // the leading 1 keeps leading zeros
        byte[] bytes = new byte[hex.length() / 2];
        System.arraycopy(raw, raw.length - bytes.length, bytes, 0, bytes.length);
        for (int word = 0; word < bytes.length; word += 4) {
            for (int i = 0; i < 2; i++) {
                byte t = bytes[word + i];
                bytes[word + i] = bytes[word + 3 - i];
                bytes[word + 3 - i] = t;
            }
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
