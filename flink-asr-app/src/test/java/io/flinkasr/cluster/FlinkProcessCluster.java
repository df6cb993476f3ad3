package io.flinkasr.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.testing.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.jobmanager.HighAvailabilityMode;
import org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint;
import org.apache.flink.runtime.taskexecutor.TaskManagerRunner;

/**
 * A real Flink session cluster on loopback, one JVM process per JobManager and TaskManager, started from
 * the Maven jars the way Flink's bash scripts would start them from a distribution: for fault tests that
 * SIGKILL a TaskManager or the JobManager.
 *
 * <p>One class per concern: {@link ClusterConfig} (config.yaml: loopback, free ports, heartbeats, memory),
 * {@link ClusterClassPath} (what the processes load), {@link ClusterProcesses} (the
 * {@link StandaloneSessionClusterEntrypoint} and {@link TaskManagerRunner} JVMs: start, SIGKILL, replace),
 * {@link ClusterRest} (the REST API) and, with ZooKeeper HA, {@link JobManagerElection} (which JobManager
 * leads). This class puts them together and waits for the cluster ({@link Await}), failing early when a
 * process that should run has died.
 *
 * <p>With ZooKeeper HA ({@code high-availability.type: zookeeper} in the configuration) the cluster may run
 * a standby JobManager ({@link #startWithStandby}): JobManagers 0 and 1, each on ports of its own, both in
 * the leader election; TaskManagers, the REST calls of this class and its {@link #client()} follow the
 * leader as ZooKeeper names it.
 *
 * <p>Layout of {@code workDir}:
 * <pre>
 *   conf/config.yaml             the cluster's configuration (defaults, then extraConfig)
 *   conf/log4j-console.properties
 *   conf/classpath.argfile       -cp for the java command line (a JVM @argfile)
 *   launcher/                    ProcessWatchdog.class, first on the class path
 *   logs/jobmanager.log          stdout + stderr (log4j logs to the console) of the JobManager; a restarted
 *                                JobManager appends to it (logs/jobmanager-1.log: the standby's)
 *   logs/taskmanager-N.log       the same for TaskManager N (0, 1, ... in start order; replacements go on
 *                                counting)
 *   checkpoints/  savepoints/    execution.checkpointing.dir / savepoint-dir
 *   plugins/                     FLINK_PLUGINS_DIR (empty)
 *   tmp/jobmanager, tmp/jobmanager-1, tmp/taskmanager-N   io.tmp.dirs (blobs, spill files, the JobManager's web uploads)
 * </pre>
 *
 * <p>Class path: the lib jars given to {@link #start(Path, int, int, Map, List)}, then the test JVM's class
 * path without this project's own classes, test jars and Kafka ({@link ClusterClassPath#forCluster()}).
 *
 * <p>TaskManager N has the resource id {@code taskmanager-N}: that is its id in the REST API and in
 * {@link Subtask#taskManagerId()}.
 */
public final class FlinkProcessCluster implements AutoCloseable {
    private static final Duration PROCESS_START_TIMEOUT = Duration.ofMinutes(3);

    /**
     * A TaskManager that exited by itself (a crash, a halt; not killed through this object), seen while
     * {@link #replaceTaskManagersThatExit()} is on: its index, pid and exit code, when its exit was noticed
     * ({@link System#nanoTime()}), and the index of the TaskManager started in its place.
     */
    public record TaskManagerExit(int index, long pid, int exitCode, long atNanos, int replacement) {}

    /** One subtask of a running job, as the REST API shows it ({@code /jobs/:id/vertices/:vid}). */
    public record Subtask(String vertex, int index, String status, int attempt, String taskManagerId) {
        public boolean running() {
            return "RUNNING".equals(status);
        }
    }

    /** What {@link #awaitSubtasks} saw of a job at one look. */
    private record JobView(String state, List<Subtask> subtasks) {}

    private final Path workDir;
    private final Configuration config;
    private final ClusterProcesses processes;
    /** With ZooKeeper HA: who leads; null without HA (one JobManager, always the leader). */
    private final JobManagerElection election;
    private final ClusterRest rest;

    private FlinkProcessCluster(Path workDir, Configuration config, List<Path> libJars) throws Exception {
        this.workDir = workDir;
        this.config = config;
        this.processes = new ClusterProcesses(workDir, config, libJars);
        this.election = HighAvailabilityMode.fromConfig(config) == HighAvailabilityMode.ZOOKEEPER
                ? JobManagerElection.follow(config)
                : null;
        this.rest = new ClusterRest(config, election != null ? election::leaderRestUrl : () -> processes.jobManagerRestUrl(0));
    }

    /**
     * Starts a JobManager and {@code taskManagers} TaskManagers with {@code slotsPerTaskManager} slots
     * each, and returns once the REST API lists all of them as registered. {@code extraConfig} (Flink keys,
     * string values as in config.yaml) is applied over the defaults of {@link ClusterConfig#forLoopback}.
     * JVM options for the processes go into env.java.opts.all / env.java.opts.jobmanager /
     * env.java.opts.taskmanager (split at whitespace).
     */
    public static FlinkProcessCluster start(
            Path workDir, int taskManagers, int slotsPerTaskManager, Map<String, String> extraConfig)
            throws Exception {
        return start(workDir, taskManagers, slotsPerTaskManager, extraConfig, List.of());
    }

    /**
     * {@link #start(Path, int, int, Map)} with {@code libJars} on the class path of every process, as jars
     * in a Flink distribution's lib/ folder: loaded by the parent of each job's class loader, e.g. the small
     * jar with {@code io.flinkasr.recognition.SharedVoskModel} that the Dockerfile puts there (Vosk and JNA
     * are on the class path already, from the test class path).
     */
    public static FlinkProcessCluster start(
            Path workDir, int taskManagers, int slotsPerTaskManager, Map<String, String> extraConfig, List<Path> libJars)
            throws Exception {
        return start(workDir, 1, taskManagers, slotsPerTaskManager, extraConfig, libJars);
    }

    /**
     * {@link #start(Path, int, int, Map, List)} with a standby JobManager: two JobManagers (0, the
     * TaskManagers, then 1; either may win the first election, see {@link #leadingJobManager()}) with the
     * same configuration, as an operator starts jobmanager.sh on two hosts. Needs ZooKeeper HA in {@code extraConfig}; returns once both take part in the election and
     * the TaskManagers are registered at the leader.
     */
    public static FlinkProcessCluster startWithStandby(
            Path workDir, int taskManagers, int slotsPerTaskManager, Map<String, String> extraConfig, List<Path> libJars)
            throws Exception {
        if (!"zookeeper".equals(extraConfig.get("high-availability.type"))) {
            throw new IllegalArgumentException("a standby JobManager needs high-availability.type: zookeeper");
        }
        return start(workDir, 2, taskManagers, slotsPerTaskManager, extraConfig, libJars);
    }

    private static FlinkProcessCluster start(Path workDir, int jobManagers, int taskManagers, int slotsPerTaskManager,
            Map<String, String> extraConfig, List<Path> libJars) throws Exception {
        workDir = workDir.toAbsolutePath().normalize();
        Configuration config = ClusterConfig.forLoopback(workDir, taskManagers, slotsPerTaskManager, extraConfig);
        FlinkProcessCluster cluster = new FlinkProcessCluster(workDir, config, libJars);
        try {
            cluster.processes.prepare();
            cluster.processes.startJobManager();
            for (int i = 0; i < taskManagers; i++) {
                cluster.processes.startTaskManager();
            }
            for (int i = 1; i < jobManagers; i++) {
                cluster.processes.startJobManager();
            }
            cluster.awaitTaskManagers(taskManagers, PROCESS_START_TIMEOUT);
            if (jobManagers > 1) {
                cluster.awaitJobManagersInElection(jobManagers, PROCESS_START_TIMEOUT);
            }
            return cluster;
        } catch (Throwable t) {
            cluster.close();
            throw t;
        }
    }

    /**
     * The leading JobManager's REST endpoint (and web UI), {@code http://127.0.0.1:PORT}; with HA as ZooKeeper
     * names it now (after a SIGKILL, the dead leader's until the next one is elected).
     */
    public String restUrl() {
        try {
            return rest.url();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public Path workDir() {
        return workDir;
    }

    /** Where each process's output goes: jobmanager.log, taskmanager-N.log. */
    public Path logDir() {
        return processes.logDir();
    }

    /** The configuration written to conf/config.yaml. */
    public Configuration configuration() {
        return new Configuration(config);
    }

    /** A client for the REST API (created on first use, closed with the cluster). */
    public RestClusterClient<StandaloneClusterId> client() throws Exception {
        return rest.client();
    }

    /**
     * Uploads a job jar ({@code POST /jars/upload}) and runs its {@code entryClass} with {@code args}
     * ({@code POST /jars/:id/run}), at the cluster's default parallelism. The main method runs inside the
     * JobManager, in the user-code class loader, with the cluster configuration as its base (like
     * {@code flink run} against the web frontend); it must submit exactly one job.
     */
    public JobID submitJar(Path jar, String entryClass, List<String> args) throws Exception {
        return submitJar(jar, entryClass, args, config.get(CoreOptions.DEFAULT_PARALLELISM));
    }

    /**
     * {@link #submitJar(Path, String, List)} at the given default parallelism. (The REST handler sets
     * parallelism.default for the job to the request's parallelism, 1 if the request has none: the cluster's
     * parallelism.default does not reach jobs submitted this way, so it is always sent.)
     */
    public JobID submitJar(Path jar, String entryClass, List<String> args, int parallelism) throws Exception {
        return submitJar(jar, entryClass, args, parallelism, null);
    }

    /**
     * {@link #submitJar(Path, String, List, int)} restoring from a savepoint or retained checkpoint
     * ({@code savepointPath} of the run request, e.g. {@code file:/.../chk-7}; null: start empty).
     */
    public JobID submitJar(Path jar, String entryClass, List<String> args, int parallelism, String savepointPath)
            throws Exception {
        return rest.submitJar(jar, entryClass, args, parallelism, savepointPath);
    }

    /** SIGKILLs TaskManager {@code index} ({@link Process#destroyForcibly()}) and waits until it is gone. */
    public void killTaskManager(int index) throws InterruptedException {
        processes.killTaskManager(index);
    }

    /** Starts one more TaskManager (e.g. a replacement) and returns its index; does not wait for it. */
    public int startTaskManager() throws IOException {
        return processes.startTaskManager();
    }

    /**
     * From now on, whenever a TaskManager exits by itself, start a replacement at once, as a cluster manager
     * (Kubernetes, YARN) would, instead of failing the next call that checks the processes. The exits are
     * listed by {@link #taskManagerExits()}.
     */
    public void replaceTaskManagersThatExit() {
        processes.replaceTaskManagersThatExit();
    }

    /** The TaskManagers that exited by themselves and were replaced, in the order their exits were noticed. */
    public List<TaskManagerExit> taskManagerExits() {
        return processes.taskManagerExits();
    }

    /** TaskManagers started so far, replacements included: the indexes are 0 to this minus one. */
    public int taskManagersStarted() {
        return processes.taskManagersStarted();
    }

    /** The operating-system process id of TaskManager {@code index}. */
    public long taskManagerPid(int index) {
        return processes.taskManagerPid(index);
    }

    public boolean taskManagerAlive(int index) {
        return processes.taskManagerAlive(index);
    }

    /** JobManagers started: 1, or 2 with a standby ({@link #startWithStandby}); indexes 0 and 1. */
    public int jobManagers() {
        return processes.jobManagersStarted();
    }

    /**
     * The index of the leading JobManager: with HA the one whose REST address ZooKeeper names (after a
     * SIGKILL, the dead leader until the next is elected), -1 while none is named; without HA, 0.
     */
    public int leadingJobManager() {
        if (election == null) {
            return 0;
        }
        String leader = election.leaderRestUrl();
        for (int i = 0; i < processes.jobManagersStarted(); i++) {
            if (processes.jobManagerRestUrl(i).equals(leader)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * SIGKILLs JobManager {@code index} and waits until it is gone. Without HA its jobs are lost with it; with
     * HA ({@code high-availability.type} in the configuration) the standby, or the JobManager started again,
     * recovers them once the killed one's ZooKeeper session has expired.
     */
    public void killJobManager(int index) throws InterruptedException {
        processes.killJobManager(index);
    }

    /**
     * Waits until a JobManager other than {@code previous} leads (ZooKeeper names it: it has published its
     * REST address) and returns its index. Fails early if a process that should run has died.
     */
    public int awaitLeaderOtherThan(int previous, Duration timeout) throws Exception {
        return Await.until("a JobManager other than " + ClusterProcesses.jobManagerName(previous) + " leading",
                timeout, Duration.ofMillis(50), () -> {
                    processes.check();
                    return leadingJobManager();
                }, leader -> leader >= 0 && leader != previous);
    }

    /**
     * Starts JobManager {@code index} again (after {@link #killJobManager}), on its ports, and waits until its
     * REST API answers. With HA it joins the election: as the standby while another leads (its REST API
     * answers through the leader), else as the leader, once the killed one's ZooKeeper session has expired;
     * either way every job comes back. Without HA no job does. The TaskManagers register again by themselves
     * within a few seconds (see {@link #awaitTaskManagers}).
     */
    public void startJobManager(int index) throws Exception {
        processes.startJobManager(index);
        String url = processes.jobManagerRestUrl(index);
        Await.until(ClusterProcesses.jobManagerName(index) + "'s REST API answering", PROCESS_START_TIMEOUT,
                Duration.ofMillis(200), () -> {
                    processes.check();
                    rest.get(url, "/overview");
                    return true;
                });
    }

    /**
     * The JobManagers taking part in the leader election (their latch nodes in ZooKeeper): the leader and its
     * standbys; a SIGKILLed one counts until its ZooKeeper session expires. Needs HA.
     */
    public int jobManagersInElection() throws Exception {
        if (election == null) {
            throw new IllegalStateException("no leader election without high-availability.type: zookeeper");
        }
        return election.contenders().size();
    }

    /** Waits until exactly {@code count} JobManagers take part in the leader election. */
    public void awaitJobManagersInElection(int count, Duration timeout) throws Exception {
        Await.until(count + " JobManagers in the leader election", timeout, Duration.ofMillis(200), () -> {
            processes.check();
            return jobManagersInElection();
        }, inElection -> inElection == count);
    }

    /** GET of a REST API path ({@code /jobs/:id/checkpoints}, ...), as JSON; an IOException unless 200. */
    public JsonNode rest(String path) throws IOException, InterruptedException {
        return rest.get(path);
    }

    /** TaskManagers registered at the ResourceManager ({@code GET /taskmanagers}); a killed one stays until its heartbeat times out. */
    public int registeredTaskManagers() throws Exception {
        return rest.registeredTaskManagers();
    }

    /** Waits until exactly {@code count} TaskManagers are registered; fails early if a process dies. */
    public void awaitTaskManagers(int count, Duration timeout) throws Exception {
        Await.until(count + " TaskManagers registered", timeout, Duration.ofMillis(200), () -> {
            processes.check();
            return rest.registeredTaskManagers();
        }, registered -> registered == count);
    }

    public JobStatus jobStatus(JobID id) throws Exception {
        return rest.jobStatus(id);
    }

    /** Every subtask of the job, vertex by vertex, with its status, attempt and TaskManager. */
    public List<Subtask> subtasks(JobID id) throws Exception {
        return rest.subtasks(id);
    }

    /**
     * Asks (every 100 ms) until the job is RUNNING and its subtasks satisfy {@code condition}; returns
     * them. Fails early if a process that should run has died.
     */
    public List<Subtask> awaitSubtasks(JobID id, Duration timeout, Predicate<List<Subtask>> condition) throws Exception {
        return Await.until("job " + id + " RUNNING with its subtasks as asked", timeout, Duration.ofMillis(100), () -> {
            processes.check();
            String state = rest.jobState(id);
            return new JobView(state, "RUNNING".equals(state) ? rest.subtasks(id) : List.of());
        }, job -> "RUNNING".equals(job.state()) && !job.subtasks().isEmpty() && condition.test(job.subtasks())).subtasks();
    }

    /** Kills every process (SIGKILL) and waits for them to exit; closes the client. */
    @Override
    public void close() {
        rest.close();
        processes.close();
        if (election != null) {
            try {
                election.close();
            } catch (Exception e) {
                System.err.println("FlinkProcessCluster: closing the ZooKeeper client: " + e);
            }
        }
    }
}
