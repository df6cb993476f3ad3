package io.flinkasr.cluster;

import io.flinkasr.testing.Await;
import io.flinkasr.testing.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A ZooKeeper ensemble on loopback, one {@link ZooKeeperMain} process per node, as production runs it for
 * Flink's HA services: with three nodes, one may die without stopping the ensemble, and the clients (the
 * JobManagers) keep their sessions by moving to another node. Node N (0, 1, ...) keeps its data in
 * {@code dir/node-N} and logs to {@code logDir/zookeeper-N.log}; a node killed and started again rejoins on
 * its data folder.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final List<JavaProcess> nodes = new ArrayList<>();
    private final List<Integer> clientPorts;

    private ZooKeeperEnsemble(List<Integer> clientPorts) {
        this.clientPorts = clientPorts;
    }

    /** Starts {@code count} nodes and returns once each serves clients (a quorum has formed). */
    public static ZooKeeperEnsemble start(Path dir, int count, Path logDir) throws Exception {
        List<Integer> ports = FreePorts.take(3 * count);
        List<Integer> clientPorts = ports.subList(0, count);
        String peers = java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> ports.get(count + i) + ":" + ports.get(2 * count + i))
                .collect(Collectors.joining(","));
        ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(List.copyOf(clientPorts));
        try {
            for (int i = 0; i < count; i++) {
                ensemble.nodes.add(JavaProcess.start("zookeeper-" + i, logDir.resolve("zookeeper-" + i + ".log"),
                        List.of("-Xmx128m"), ZooKeeperMain.class.getName(),
                        List.of(dir.resolve("node-" + i).toString(), String.valueOf(clientPorts.get(i)),
                                String.valueOf(i + 1), peers),
                        ZooKeeperMain.READY, START_TIMEOUT));
            }
            for (int i = 0; i < count; i++) {
                ensemble.awaitServing(i);
            }
            return ensemble;
        } catch (Throwable t) {
            ensemble.close();
            throw t;
        }
    }

    /** {@code 127.0.0.1:PORT,...}: high-availability.zookeeper.quorum. */
    public String connectString() {
        return clientPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /** The node that leads the ensemble now (ZooKeeper's {@code srvr}: "Mode: leader"). */
    public int leader() throws Exception {
        return Await.until("a leading ZooKeeper node", START_TIMEOUT, Duration.ofMillis(100), () -> {
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i).alive() && srvr(i).contains("Mode: leader")) {
                    return i;
                }
            }
            return -1;
        }, i -> i >= 0);
    }

    /** SIGKILLs node {@code index}. */
    public void kill(int index) throws InterruptedException {
        nodes.get(index).kill();
    }

    /** Starts node {@code index} again on its data folder and waits until it serves clients again. */
    public void restart(int index) throws Exception {
        nodes.get(index).restart(ZooKeeperMain.READY, START_TIMEOUT);
        awaitServing(index);
    }

    private void awaitServing(int index) throws Exception {
        Await.until("zookeeper-" + index + " serving (srvr shows its mode)", START_TIMEOUT, Duration.ofMillis(200),
                () -> srvr(index).contains("Mode: "));
    }

    /** ZooKeeper's {@code srvr} four-letter command on node {@code index}; an IOException while it is not up. */
    private String srvr(int index) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", clientPorts.get(index)), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        nodes.forEach(JavaProcess::closeQuietly);
    }
}
