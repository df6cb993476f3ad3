package io.flinkasr.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.server.ZooKeeperServerMain;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;

/**
 * A standalone ZooKeeper server alone in its JVM, for {@link JavaProcess}: {@code ZooKeeperMain DATA_DIR PORT}
 * runs ZooKeeper's own {@link ZooKeeperServerMain} (no AdminServer) on that folder and port of loopback, prints {@value #READY}
 * once the port accepts connections, and runs until killed. {@code ZooKeeperMain DATA_DIR PORT MYID
 * PEER:ELECTION,PEER:ELECTION,...} runs node MYID (1, 2, ...) of an ensemble on loopback instead
 * ({@link QuorumPeerMain}; see {@link ZooKeeperEnsemble}): it serves clients once a majority of the nodes is up. Flink's ZooKeeper HA services
 * ({@code high-availability.type: zookeeper}) keep the leader of the JobManager, the submitted jobs and
 * their checkpoint counters and pointers there. A restart on the same folder keeps them.
 *
 * <p>The jar is org.apache.zookeeper:zookeeper 3.7.1 from the test class path (through flink-test-utils'
 * curator-test), the line of the client that Flink 2.2.1 shades (flink-shaded-zookeeper-3 3.7.2).
 */
public final class ZooKeeperMain {
    public static final String READY = "zookeeper ready";
    /**
     * ZooKeeper's tick: sessions may last 2 to 20 ticks, so Flink's session timeout
     * ({@code high-availability.zookeeper.client.session-timeout}) is granted between 2 s and 20 s.
     */
    static final int TICK_MILLIS = 1000;

    private ZooKeeperMain() {}

    public static void main(String[] args) throws Exception {
        Path dataDir = Files.createDirectories(Path.of(args[0]));
        int port = Integer.parseInt(args[1]);
        Thread ready = new Thread(() -> announceWhenListening(port), "zookeeper-ready");
        ready.setDaemon(true);
        ready.start();
        Path zooCfg = dataDir.resolveSibling(dataDir.getFileName() + ".cfg");
        List<String> cfg = new ArrayList<>(List.of(
                "dataDir=" + dataDir,
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "tickTime=" + TICK_MILLIS,
                "admin.enableServer=false",
                // for ZooKeeperEnsemble: which node leads, and whether a node serves
                "4lw.commands.whitelist=srvr"));
        if (args.length > 2) {
            String[] peers = args[3].split(",");
            for (int i = 0; i < peers.length; i++) {
                cfg.add("server." + (i + 1) + "=127.0.0.1:" + peers[i]);
            }
            cfg.add("initLimit=10");
            cfg.add("syncLimit=5");
            Files.writeString(dataDir.resolve("myid"), args[2] + "\n");
        }
        cfg.add("");
        Files.writeString(zooCfg, String.join("\n", cfg));
        if (args.length > 2) {
            QuorumPeerMain.main(new String[] {zooCfg.toString()});
        } else {
            ZooKeeperServerMain.main(new String[] {zooCfg.toString()});
        }
    }

    private static void announceWhenListening(int port) {
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                System.out.println(READY + " on 127.0.0.1:" + port);
                System.out.flush();
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
