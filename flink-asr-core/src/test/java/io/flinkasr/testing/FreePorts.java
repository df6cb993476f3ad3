package io.flinkasr.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.NetUtils;

/**
 * Free ports for the servers a test starts (Kafka, the API, Flink's JobManager and TaskManagers), from
 * Flink's {@link NetUtils#getAvailablePort()}: it holds a lock file per port while it is handed out, so two
 * tests on one machine do not get the same port, and several ports asked for at once are distinct.
 */
public final class FreePorts {
    private FreePorts() {}

    public static int one() {
        return take(1).get(0);
    }

    /** {@code count} distinct free ports. */
    public static List<Integer> take(int count) {
        List<NetUtils.Port> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                NetUtils.Port port = NetUtils.getAvailablePort();
                held.add(port);
                ports.add(port.getPort());
            }
            return ports;
        } finally {
            for (NetUtils.Port port : held) {
                try {
                    port.close();
                } catch (Exception ignored) {
                    // only the lock file: the port was free when it was taken
                }
            }
        }
    }
}
