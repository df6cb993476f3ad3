package io.flinkasr.cluster;

import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.highavailability.zookeeper.CuratorFrameworkWithUnhandledErrorListener;
import org.apache.flink.runtime.highavailability.zookeeper.ZooKeeperClientHAServices;
import org.apache.flink.runtime.leaderretrieval.LeaderRetrievalListener;
import org.apache.flink.runtime.leaderretrieval.LeaderRetrievalService;
import org.apache.flink.runtime.util.ZooKeeperUtils;
import org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.KeeperException;

/**
 * The JobManagers' leader election as ZooKeeper holds it (Flink's ZooKeeper HA services): the leading
 * JobManager's REST address, found the way the {@code flink} CLI and {@code RestClusterClient} find it
 * (Flink's leader retrieval of the REST endpoint, {@code <root>/<cluster-id>/leader/rest_server}), and the
 * JobManagers taking part (one node each under {@code <root>/<cluster-id>/leader/latch}: the leader and its
 * standbys).
 *
 * <p>Every JobManager of a Flink 2.2.1 cluster serves the REST API: a standby's handlers ask the leading
 * Dispatcher (over RPC) and answer as the leader would; while no leader is elected they answer 503 ("Service
 * temporarily unavailable due to an ongoing leader election"). There is no redirect. A JobManager process
 * leads all its components at once (one latch), so the REST leader is the JobManager that runs the jobs.
 */
final class JobManagerElection implements AutoCloseable {
    /** Where the JobManagers' leader latch lives: {@code <root>/<cluster-id>/leader/latch} (ZooKeeperLeaderElectionHaServices). */
    private static final String LATCH = ZooKeeperUtils.generateZookeeperPath(ZooKeeperUtils.getLeaderPath(), ZooKeeperUtils.getLeaderLatchPath());

    private final CuratorFrameworkWithUnhandledErrorListener curator;
    private final ZooKeeperClientHAServices ha;
    private final LeaderRetrievalService restLeader;
    private volatile String leaderRestUrl;

    private JobManagerElection(Configuration config) throws Exception {
        this.curator = ZooKeeperUtils.startCuratorFramework(config,
                error -> System.err.println("FlinkProcessCluster: ZooKeeper client error: " + error));
        this.ha = new ZooKeeperClientHAServices(curator, config);
        this.restLeader = ha.getClusterRestEndpointLeaderRetriever();
        restLeader.start(new LeaderRetrievalListener() {
            @Override
            public void notifyLeaderAddress(String address, java.util.UUID session) {
                // keep the last leader while there is none (ZooKeeper unreachable, an election): its REST API, or the
                // standby's in its place, answers again once there is one; requests are asked again meanwhile
                if (address != null && !address.isEmpty()) {
                    leaderRestUrl = address;
                }
            }

            @Override
            public void handleError(Exception e) {
                System.err.println("FlinkProcessCluster: leader retrieval failed: " + e);
            }
        });
    }

    /** Follows the election of a cluster with {@code high-availability.type: zookeeper}. */
    static JobManagerElection follow(Configuration config) throws Exception {
        return new JobManagerElection(config);
    }

    /**
     * The REST URL ({@code http://127.0.0.1:PORT}) the leader published, null until one has. The last leader's
     * stays while there is none (a SIGKILLed leader's until the next leader publishes its own).
     */
    String leaderRestUrl() {
        return leaderRestUrl;
    }

    /**
     * The latch nodes of the JobManagers taking part in the election (ephemeral: a killed one's goes with its
     * session); none before the first JobManager has joined.
     */
    List<String> contenders() throws Exception {
        try {
            return curator.asCuratorFramework().getChildren().forPath(LATCH);
        } catch (KeeperException.NoNodeException notYet) {
            return List.of();
        }
    }

    @Override
    public void close() throws Exception {
        restLeader.stop();
        ha.close(); // closes the ZooKeeper client
    }
}
