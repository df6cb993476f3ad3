package io.flinkasr.cluster;

import io.flinkasr.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.clusterframework.BootstrapTools;

/**
 * The configuration of a {@link FlinkProcessCluster}: what every process reads from {@code conf/config.yaml}
 * (loopback addresses, free ports, heartbeats, memory, state backend), and the log4j configuration that
 * sends each process's log to its console, i.e. its log file.
 */
final class ClusterConfig {
    static final String LOOPBACK = "127.0.0.1";

    private ClusterConfig() {}

    /**
     * The defaults, then {@code extraConfig} (Flink keys, string values as in config.yaml) over them:
     * loopback addresses, free ports for the JobManager's RPC, REST and blob servers, 1 s / 5 s heartbeats,
     * fast re-registration, the hashmap state backend with checkpoints and savepoints under {@code workDir},
     * parallelism.default = all slots, JobManager 1 GiB and TaskManagers 1.5 GiB process memory (128 MiB
     * managed). A TaskManager's own ports are chosen when it starts ({@link #taskManagerPorts()}).
     */
    static Configuration forLoopback(Path workDir, int taskManagers, int slotsPerTaskManager, Map<String, String> extraConfig) {
        Map<String, String> settings = new LinkedHashMap<>();
        List<Integer> ports = FreePorts.take(3);
        settings.put("jobmanager.rpc.address", LOOPBACK);
        settings.put("jobmanager.rpc.port", String.valueOf(ports.get(0)));
        settings.put("jobmanager.bind-host", LOOPBACK);
        settings.put("rest.address", LOOPBACK);
        settings.put("rest.bind-address", LOOPBACK);
        settings.put("rest.port", String.valueOf(ports.get(1)));
        settings.put("blob.server.port", String.valueOf(ports.get(2)));
        settings.put("taskmanager.host", LOOPBACK);
        settings.put("taskmanager.bind-host", LOOPBACK);
        settings.put("taskmanager.numberOfTaskSlots", String.valueOf(slotsPerTaskManager));
        settings.put("parallelism.default", String.valueOf(taskManagers * slotsPerTaskManager));
        // Memory: the scripts need nothing more than process sizes; ClusterProcesses derives the rest.
        settings.put("jobmanager.memory.process.size", "1024m");
        settings.put("taskmanager.memory.process.size", "1536m");
        settings.put("taskmanager.memory.managed.size", "128m");
        // Lose a process: noticed within 5 s. Reconnect to a restarted JobManager within about a second.
        settings.put("heartbeat.interval", "1 s");
        settings.put("heartbeat.timeout", "5 s");
        settings.put("cluster.registration.initial-timeout", "100 ms");
        settings.put("cluster.registration.max-timeout", "2 s");
        settings.put("cluster.registration.error-delay", "1 s");
        settings.put("cluster.registration.refused-registration-delay", "1 s");
        settings.put("state.backend.type", "hashmap");
        settings.put("execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString());
        settings.put("execution.checkpointing.savepoint-dir", workDir.resolve("savepoints").toUri().toString());
        // job jars (target/flink-asr.jar is 150 MB) go through POST /jars/upload
        settings.put("rest.server.max-content-length", String.valueOf(512 * 1024 * 1024));
        settings.put("rest.client.max-content-length", String.valueOf(512 * 1024 * 1024));
        settings.putAll(extraConfig);
        return Configuration.fromMap(settings);
    }

    /**
     * The RPC, REST and blob ports of JobManager {@code index}: those of the configuration for the first,
     * free ones for a standby (given on its command line, as {@code -D} dynamic properties, over
     * conf/config.yaml: JobManagers on one host need ports of their own). With HA, TaskManagers and clients
     * find the leader's addresses in ZooKeeper, not in the configuration.
     */
    static Map<String, String> jobManagerPorts(Configuration config, int index) {
        Map<String, String> ports = new LinkedHashMap<>();
        List<Integer> free = index == 0 ? List.of() : FreePorts.take(3);
        for (String key : List.of("jobmanager.rpc.port", "rest.port", "blob.server.port")) {
            ports.put(key, index == 0 ? config.getString(key, null) : String.valueOf(free.get(ports.size())));
        }
        return ports;
    }

    /** A starting TaskManager's RPC and data ports. */
    static List<Integer> taskManagerPorts() {
        return FreePorts.take(2);
    }

    /** The REST endpoint (and web UI) of a JobManager with these ports, {@code http://127.0.0.1:PORT}. */
    static String restUrl(Map<String, String> jobManagerPorts) {
        return "http://" + LOOPBACK + ":" + jobManagerPorts.get("rest.port");
    }

    /** Writes conf/config.yaml and conf/log4j-console.properties. */
    static void write(Configuration config, Path confDir) throws IOException {
        Files.createDirectories(confDir);
        BootstrapTools.writeConfiguration(config, confDir.resolve("config.yaml").toFile());
        Files.writeString(confDir.resolve("log4j-console.properties"), String.join("\n",
                "# written by FlinkProcessCluster: everything to the console (the process's log file)",
                "monitorInterval = 0",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.console.ref = ConsoleAppender",
                "appender.console.name = ConsoleAppender",
                "appender.console.type = CONSOLE",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p [%t] %c{1.} - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "logger.shaded_zookeeper.name = org.apache.flink.shaded.zookeeper3",
                "logger.shaded_zookeeper.level = WARN",
                ""));
    }
}
