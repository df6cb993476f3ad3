package io.flinkasr.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.clusterframework.BootstrapTools;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.taskexecutor.TaskManagerRunner;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A real Flink session cluster on loopback, one JVM process per JobManager and TaskManager, started from
 * the Maven jars the way Flink's bash scripts would start them from a distribution: for fault tests that
 * SIGKILL a TaskManager or the JobManager.
 *
 * <p>Each process runs {@link StandaloneSessionClusterEntrypoint} or {@link TaskManagerRunner} (behind
 * {@link ProcessWatchdog}, which halts it when the test JVM goes away) with {@code --configDir
 * WORKDIR/conf}, and with the JVM memory flags and {@code -D taskmanager.memory.*} dynamic properties that
 * the scripts compute with BashJavaUtils, computed here with the same Flink classes.
 *
 * <p>Layout of {@code workDir}:
 * <pre>
 *   conf/config.yaml             the cluster's configuration (defaults below, then extraConfig)
 *   conf/log4j-console.properties
 *   conf/classpath.argfile       -cp for the java command line (a JVM @argfile)
 *   launcher/                    ProcessWatchdog.class, first on the class path
 *   logs/jobmanager.log          stdout + stderr (log4j logs to the console) of the JobManager; a restarted
 *                                JobManager appends to it
 *   logs/taskmanager-N.log       the same for TaskManager N (0, 1, ... in start order; replacements go on
 *                                counting)
 *   checkpoints/  savepoints/    execution.checkpointing.dir / savepoint-dir
 *   plugins/                     FLINK_PLUGINS_DIR (empty)
 *   tmp/jobmanager, tmp/taskmanager-N   io.tmp.dirs (blobs, spill files, the JobManager's web uploads)
 * </pre>
 *
 * <p>Class path: the lib jars given to {@link #start(Path, int, int, Map, List)}, then the test JVM's class
 * path without this project's own classes and jars (anything under {@code ./target}), without test jars
 * ({@code *-tests.jar}) and without the Kafka connector and the Kafka artifacts. What is left is roughly a Flink distribution's lib/ folder plus unrelated libraries;
 * the job's own code and its Kafka client must come from the job jar, through Flink's user-code class
 * loader, as on a real cluster. (If the cluster had flink-connector-kafka, which Flink loads parent-first,
 * while the job jar brought kafka-clients, loaded child-first, the connector and the job would see two
 * different copies of the Kafka classes.)
 *
 * <p>TaskManager N has the resource id {@code taskmanager-N}: that is its id in the REST API and in
 * {@link Subtask#taskManagerId()}.
 */
public final class FlinkProcessCluster implements AutoCloseable {
    /**
     * What Flink's own config.yaml sets in env.java.opts.all for Java 17
     * (flink-dist/src/main/resources/config.yaml); without the --add-opens, Kryo and Pekko fail on
     * JDK 17. Always on the command line, before env.java.opts.* from the configuration.
     */
    public static final List<String> JDK17_JVM_OPTIONS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration PROCESS_START_TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

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

    private final Path workDir;
    private final Path confDir;
    private final Path logDir;
    private final Path launcherDir;
    private final Configuration config;
    /** Jars on every process's class path besides Flink's, as in a distribution's lib/ folder. */
    private final List<Path> libJars;
    private final String restUrl;
    private final HttpClient http;
    private final Thread shutdownHook;
    private final List<Process> taskManagers = new ArrayList<>();
    /** Processes this object killed on purpose (or closed): their exit is no failure. */
    private final Set<Process> stopped = new HashSet<>();
    private final List<TaskManagerExit> exits = new ArrayList<>();
    private boolean replaceExited;
    private Process jobManager;
    private RestClusterClient<StandaloneClusterId> client;
    private boolean closed;

    private FlinkProcessCluster(Path workDir, Configuration config, List<Path> libJars) {
        this.workDir = workDir;
        this.libJars = List.copyOf(libJars);
        this.confDir = workDir.resolve("conf");
        this.logDir = workDir.resolve("logs");
        this.launcherDir = workDir.resolve("launcher");
        this.config = config;
        this.restUrl = "http://" + LOOPBACK + ":" + config.getString("rest.port", null);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.shutdownHook = new Thread(this::killAll, "flink-process-cluster-shutdown");
    }

    /**
     * Starts a JobManager and {@code taskManagers} TaskManagers with {@code slotsPerTaskManager} slots
     * each, and returns once the REST API lists all of them as registered. {@code extraConfig} (Flink keys,
     * string values as in config.yaml) is applied over the defaults: loopback addresses, free ports for
     * every server socket, 1 s / 5 s heartbeats, fast re-registration, the hashmap state backend with
     * checkpoints and savepoints under workDir, parallelism.default = all slots, JobManager 1 GiB and
     * TaskManagers 1.5 GiB process memory (128 MiB managed). JVM options for the processes go into
     * env.java.opts.all / env.java.opts.jobmanager / env.java.opts.taskmanager (split at whitespace).
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
        workDir = workDir.toAbsolutePath().normalize();
        Map<String, String> settings = new LinkedHashMap<>();
        List<Integer> ports = freePorts(3);
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
        // Memory: the scripts need nothing more than process sizes; see jvmMemoryArgs for the rest.
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

        Configuration config = Configuration.fromMap(settings);
        FlinkProcessCluster cluster = new FlinkProcessCluster(workDir, config, libJars);
        try {
            cluster.prepare();
            cluster.startJobManager();
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManager();
            }
            cluster.awaitTaskManagers(taskManagers, PROCESS_START_TIMEOUT);
            return cluster;
        } catch (Throwable t) {
            cluster.close();
            throw t;
        }
    }

    /** The REST endpoint (and web UI), {@code http://127.0.0.1:PORT}. */
    public String restUrl() {
        return restUrl;
    }

    public Path workDir() {
        return workDir;
    }

    /** Where each process's output goes: jobmanager.log, taskmanager-N.log. */
    public Path logDir() {
        return logDir;
    }

    /** The configuration written to conf/config.yaml. */
    public Configuration configuration() {
        return new Configuration(config);
    }

    /** A client for the REST API (created on first use, closed with the cluster). */
    public synchronized RestClusterClient<StandaloneClusterId> client() throws Exception {
        if (client == null) {
            client = new RestClusterClient<>(new Configuration(config), StandaloneClusterId.getInstance());
        }
        return client;
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
        String boundary = "flinkasr-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\n"
                        + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                        + "Content-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        JsonNode uploaded = send(HttpRequest.newBuilder(URI.create(restUrl + "/jars/upload"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build());
        String jarId = Path.of(uploaded.path("filename").asText()).getFileName().toString();

        Map<String, Object> run = new LinkedHashMap<>();
        run.put("entryClass", entryClass);
        run.put("programArgsList", args);
        run.put("parallelism", parallelism);
        if (savepointPath != null) {
            run.put("savepointPath", savepointPath);
        }
        JsonNode started = send(HttpRequest.newBuilder(URI.create(restUrl + "/jars/" + jarId + "/run"))
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(run)))
                .build());
        return JobID.fromHexString(started.path("jobid").asText());
    }

    /** SIGKILLs TaskManager {@code index} ({@link Process#destroyForcibly()}) and waits until it is gone. */
    public void killTaskManager(int index) throws InterruptedException {
        kill(taskManagers.get(index));
    }

    /** Starts one more TaskManager (e.g. a replacement) and returns its index; does not wait for it. */
    public synchronized int startTaskManager() throws IOException {
        int index = taskManagers.size();
        String name = "taskmanager-" + index;
        List<Integer> ports = freePorts(2);
        Configuration tmConfig = new Configuration(config);
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(tmConfig);

        List<String> jvm = new ArrayList<>(split(ProcessMemoryUtils.generateJvmParametersStr(spec)));
        jvm.addAll(split(config.get(CoreOptions.FLINK_TM_JVM_OPTIONS)));
        List<String> args = new ArrayList<>();
        args.add("--configDir");
        args.add(confDir.toString());
        dynamic(args, "taskmanager.resource-id", name);
        dynamic(args, "taskmanager.rpc.port", String.valueOf(ports.get(0)));
        dynamic(args, "taskmanager.data.port", String.valueOf(ports.get(1)));
        dynamic(args, "io.tmp.dirs", Files.createDirectories(workDir.resolve("tmp").resolve(name)).toString());
        // what the scripts pass: every derived memory size, so that TaskManagerRunner accepts the config
        args.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
        Process process = launch(name, TaskManagerRunner.class.getName(), jvm, args);
        taskManagers.add(process);
        // not on the process reaper thread, whose stack is small
        process.onExit().thenAcceptAsync(this::taskManagerExited);
        return index;
    }

    /**
     * From now on, whenever a TaskManager exits by itself, start a replacement at once, as a cluster manager
     * (Kubernetes, YARN) would, instead of failing the next call that checks the processes. The exits are
     * listed by {@link #taskManagerExits()}.
     */
    public void replaceTaskManagersThatExit() {
        List<Process> exited;
        synchronized (this) {
            replaceExited = true;
            exited = taskManagers.stream().filter(p -> !p.isAlive()).toList();
        }
        exited.forEach(this::taskManagerExited);
    }

    /** The TaskManagers that exited by themselves and were replaced, in the order their exits were noticed. */
    public synchronized List<TaskManagerExit> taskManagerExits() {
        return List.copyOf(exits);
    }

    /** TaskManagers started so far, replacements included: the indexes are 0 to this minus one. */
    public synchronized int taskManagersStarted() {
        return taskManagers.size();
    }

    /** The operating-system process id of TaskManager {@code index}. */
    public synchronized long taskManagerPid(int index) {
        return taskManagers.get(index).pid();
    }

    public synchronized boolean taskManagerAlive(int index) {
        return taskManagers.get(index).isAlive();
    }

    private void taskManagerExited(Process process) {
        long at = System.nanoTime();
        synchronized (this) {
            if (closed || !replaceExited || !stopped.add(process)) {
                return; // killed on purpose, or handled already, or not ours to replace: checkProcesses reports it
            }
            int index = taskManagers.indexOf(process);
            int replacement;
            try {
                replacement = startTaskManager();
            } catch (IOException | RuntimeException e) {
                System.err.println("FlinkProcessCluster: cannot start a replacement for taskmanager-" + index + ": " + e);
                replacement = -1;
            }
            exits.add(new TaskManagerExit(index, process.pid(), process.exitValue(), at, replacement));
        }
    }

    /** SIGKILLs the JobManager and waits until it is gone. Without HA its jobs are lost with it. */
    public void killJobManager() throws InterruptedException {
        kill(jobManager);
    }

    /**
     * Starts the JobManager again (killing it first if it still runs), on the same ports, and waits until
     * its REST API answers. The TaskManagers register again by themselves within a few seconds (see
     * {@link #awaitTaskManagers}); with HA off, no job comes back.
     */
    public void restartJobManager() throws Exception {
        if (jobManager != null && jobManager.isAlive()) {
            kill(jobManager);
        }
        startJobManager();
        long deadline = System.nanoTime() + PROCESS_START_TIMEOUT.toNanos();
        while (true) {
            checkProcesses();
            try {
                get("/overview");
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("the restarted JobManager did not answer: " + e);
                }
                Thread.sleep(200);
            }
        }
    }

    /** GET of a REST API path ({@code /jobs/:id/checkpoints}, ...), as JSON; an IOException unless 200. */
    public JsonNode rest(String path) throws IOException, InterruptedException {
        return get(path);
    }

    /** TaskManagers registered at the ResourceManager ({@code GET /taskmanagers}); a killed one stays until its heartbeat times out. */
    public int registeredTaskManagers() throws Exception {
        return get("/taskmanagers").path("taskmanagers").size();
    }

    /** Waits until exactly {@code count} TaskManagers are registered; fails early if a process dies. */
    public void awaitTaskManagers(int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int registered = -1;
        while (true) {
            checkProcesses();
            try {
                registered = registeredTaskManagers();
                if (registered == count) {
                    return;
                }
            } catch (IOException e) {
                // REST endpoint not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(registered + " TaskManagers registered, waited for " + count);
            }
            Thread.sleep(200);
        }
    }

    public JobStatus jobStatus(JobID id) throws Exception {
        return client().getJobStatus(id).get(30, TimeUnit.SECONDS);
    }

    /** Every subtask of the job, vertex by vertex, with its status, attempt and TaskManager. */
    public List<Subtask> subtasks(JobID id) throws Exception {
        List<Subtask> subtasks = new ArrayList<>();
        for (JsonNode vertex : get("/jobs/" + id).path("vertices")) {
            JsonNode details = get("/jobs/" + id + "/vertices/" + vertex.path("id").asText());
            for (JsonNode s : details.path("subtasks")) {
                subtasks.add(new Subtask(
                        vertex.path("name").asText(),
                        s.path("subtask").asInt(),
                        s.path("status").asText(),
                        s.path("attempt").asInt(),
                        s.path("taskmanager-id").asText()));
            }
        }
        return subtasks;
    }

    /**
     * Polls (every 100 ms) until the job is RUNNING and its subtasks satisfy {@code condition}; returns
     * them. Fails early if a process that should run has died.
     */
    public List<Subtask> awaitSubtasks(JobID id, Duration timeout, Predicate<List<Subtask>> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Subtask> last = List.of();
        String state = "?";
        while (true) {
            checkProcesses();
            try {
                state = get("/jobs/" + id).path("state").asText();
                if ("RUNNING".equals(state)) {
                    last = subtasks(id);
                    if (!last.isEmpty() && condition.test(last)) {
                        return last;
                    }
                }
            } catch (IOException e) {
                // the JobManager is busy or the job is between attempts: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("job " + id + " is " + state + ", subtasks " + last);
            }
            Thread.sleep(100);
        }
    }

    /** Kills every process (SIGKILL) and waits for them to exit; closes the client. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (client != null) {
            client.close();
        }
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down already
        }
    }

    // ---------------------------------------------------------------------------------------------

    private void prepare() throws IOException {
        Files.createDirectories(confDir);
        Files.createDirectories(logDir);
        Files.createDirectories(workDir.resolve("checkpoints"));
        Files.createDirectories(workDir.resolve("savepoints"));
        Files.createDirectories(workDir.resolve("plugins"));
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

        // ProcessWatchdog alone, as a class file: the cluster must not see the project's test classes
        Path watchdog = launcherDir.resolve(ProcessWatchdog.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(watchdog.getParent());
        try (InputStream in = ProcessWatchdog.class.getResourceAsStream(ProcessWatchdog.class.getSimpleName() + ".class")) {
            Files.copy(in, watchdog);
        }
        List<String> classPath = new ArrayList<>();
        classPath.add(launcherDir.toString());
        for (Path jar : libJars) {
            classPath.add(jar.toAbsolutePath().toString());
        }
        for (Path entry : clusterClassPath()) {
            classPath.add(entry.toString());
        }
        Files.writeString(confDir.resolve("classpath.argfile"),
                "-cp \"" + String.join(File.pathSeparator, classPath) + "\"\n");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private synchronized void startJobManager() throws IOException {
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
        List<String> jvm = new ArrayList<>(split(JobManagerProcessUtils.generateJvmParametersStr(spec, config)));
        jvm.addAll(split(config.get(CoreOptions.FLINK_JM_JVM_OPTIONS)));
        List<String> args = new ArrayList<>();
        args.add("--configDir");
        args.add(confDir.toString());
        dynamic(args, "io.tmp.dirs", Files.createDirectories(workDir.resolve("tmp").resolve("jobmanager")).toString());
        args.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
        jobManager = launch("jobmanager", StandaloneSessionClusterEntrypoint.class.getName(), jvm, args);
    }

    private Process launch(String name, String mainClass, List<String> jvmOptions, List<String> args) throws IOException {
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(JDK17_JVM_OPTIONS);
        command.addAll(split(config.get(CoreOptions.FLINK_JVM_OPTIONS)));
        command.add("-Dlog.file=" + log);
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j-console.properties").toUri());
        command.add("@" + confDir.resolve("classpath.argfile"));
        command.add(ProcessWatchdog.class.getName());
        command.add(mainClass);
        command.addAll(args);
        Files.writeString(log, "#### " + java.time.LocalTime.now() + " " + String.join(" ", command) + "\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        // stdin stays an open pipe that nobody writes: ProcessWatchdog halts the process when it ends
        ProcessBuilder builder = new ProcessBuilder(command);
        // as the scripts set them; plugins/ is empty (no "plugins directory does not exist" warning) unless a
        // test puts a plugin there
        builder.environment().put("FLINK_CONF_DIR", confDir.toString());
        builder.environment().put("FLINK_PLUGINS_DIR", workDir.resolve("plugins").toString());
        builder.environment().put("FLINK_LOG_DIR", logDir.toString());
        // as the Dockerfile sets it: few glibc malloc arenas, so native memory freed on one thread (Vosk's
        // recognisers of a restarted job) is reused by the next instead of kept in that thread's arena
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        return builder
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private void kill(Process process) throws InterruptedException {
        synchronized (this) {
            stopped.add(process);
        }
        process.destroyForcibly(); // SIGKILL on Linux
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    private synchronized void killAll() {
        List<Process> all = new ArrayList<>(taskManagers);
        if (jobManager != null) {
            all.add(jobManager);
        }
        stopped.addAll(all);
        all.forEach(Process::destroyForcibly);
        for (Process p : all) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Fails with the end of its log if a process that should be running has exited. */
    private synchronized void checkProcesses() throws IOException {
        // TaskManagers that exit are replaced (replaceTaskManagersThatExit), perhaps a moment from now
        List<Process> all = replaceExited ? new ArrayList<>() : new ArrayList<>(taskManagers);
        all.add(jobManager);
        for (int i = 0; i < all.size(); i++) {
            Process p = all.get(i);
            if (p != null && !p.isAlive() && !stopped.contains(p)) {
                String name = p == jobManager ? "jobmanager" : "taskmanager-" + i;
                throw new IllegalStateException(name + " exited with " + p.exitValue() + "; end of "
                        + logDir.resolve(name + ".log") + ":\n" + tail(logDir.resolve(name + ".log"), 60));
            }
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(restUrl + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(request.method() + " " + request.uri() + " → " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /**
     * The test JVM's class path (expanding a surefire/failsafe manifest-only jar), without this project's
     * build output, test jars, the Kafka connector and Kafka.
     */
    static List<Path> clusterClassPath() throws IOException {
        Path target = Path.of(System.getProperty("user.dir"), "target").toAbsolutePath().normalize();
        List<Path> result = new ArrayList<>();
        for (Path entry : testClassPath()) {
            String s = entry.toString().replace(File.separatorChar, '/');
            boolean excluded = entry.startsWith(target)
                    || s.endsWith("-tests.jar")
                    || s.contains("/org/apache/kafka/")
                    || s.contains("/org/apache/flink/flink-connector-kafka/");
            if (!excluded && Files.exists(entry)) {
                result.add(entry);
            }
        }
        return result;
    }

    /** The test JVM's whole class path (expanding a surefire/failsafe manifest-only jar). */
    static List<Path> testClassPath() throws IOException {
        List<Path> entries = new ArrayList<>();
        for (String s : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!s.isEmpty()) {
                entries.add(Path.of(s).toAbsolutePath().normalize());
            }
        }
        if (entries.size() == 1 && entries.get(0).toString().endsWith(".jar")) {
            // surefire/failsafe's manifest-only jar: the real class path is its Class-Path attribute
            try (JarFile jar = new JarFile(entries.get(0).toFile())) {
                Manifest manifest = jar.getManifest();
                String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                if (classPath != null && !classPath.isBlank()) {
                    URI base = entries.get(0).toUri();
                    List<Path> expanded = new ArrayList<>();
                    for (String url : classPath.trim().split("\\s+")) {
                        expanded.add(Path.of(base.resolve(url)).normalize());
                    }
                    return expanded;
                }
            }
        }
        return entries;
    }

    private static void dynamic(List<String> args, String key, String value) {
        args.add("-D");
        args.add(key + "=" + value);
    }

    private static List<String> split(String options) {
        return options == null || options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+"));
    }

    private static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
                sockets.add(socket);
                ports.add(socket.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
