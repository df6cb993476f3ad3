package io.flinkasr.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.taskexecutor.TaskManagerRunner;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * The JVM processes of a {@link FlinkProcessCluster}: the JobManagers ({@link StandaloneSessionClusterEntrypoint})
 * and the TaskManagers ({@link TaskManagerRunner}), each behind {@link ProcessWatchdog} (which halts it when
 * the test JVM goes away), with {@code --configDir WORKDIR/conf} and the JVM memory flags and
 * {@code -D taskmanager.memory.*} dynamic properties that Flink's scripts compute with BashJavaUtils,
 * computed here with the same Flink classes. Starts, SIGKILLs and, on request, replaces them; knows which
 * exits were on purpose.
 */
final class ClusterProcesses {
    /**
     * What Flink's own config.yaml sets in env.java.opts.all for Java 17
     * (flink-dist/src/main/resources/config.yaml); without the --add-opens, Kryo and Pekko fail on
     * JDK 17. Always on the command line, before env.java.opts.* from the configuration.
     */
    static final List<String> JDK17_JVM_OPTIONS = List.of(
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

    private final Path workDir;
    private final Path confDir;
    private final Path logDir;
    private final Path launcherDir;
    private final Configuration config;
    /** Jars on every process's class path besides Flink's, as in a distribution's lib/ folder. */
    private final List<Path> libJars;
    private final Thread shutdownHook;
    private final List<Process> taskManagers = new ArrayList<>();
    /** Processes killed on purpose (or closed): their exit is no failure. */
    private final Set<Process> stopped = new HashSet<>();
    private final List<FlinkProcessCluster.TaskManagerExit> exits = new ArrayList<>();
    private boolean replaceExited;
    /** JobManager N's latest process, and its ports (kept when it is started again). */
    private final List<Process> jobManagers = new ArrayList<>();
    private final List<Map<String, String>> jobManagerPorts = new ArrayList<>();
    private boolean closed;

    ClusterProcesses(Path workDir, Configuration config, List<Path> libJars) {
        this.workDir = workDir;
        this.confDir = workDir.resolve("conf");
        this.logDir = workDir.resolve("logs");
        this.launcherDir = workDir.resolve("launcher");
        this.config = config;
        this.libJars = List.copyOf(libJars);
        this.shutdownHook = new Thread(this::killAll, "flink-process-cluster-shutdown");
    }

    Path logDir() {
        return logDir;
    }

    /** Writes conf/, the launcher and the class path; from here on the processes die with the test JVM. */
    void prepare() throws IOException {
        ClusterConfig.write(config, confDir);
        Files.createDirectories(logDir);
        Files.createDirectories(workDir.resolve("checkpoints"));
        Files.createDirectories(workDir.resolve("savepoints"));
        Files.createDirectories(workDir.resolve("plugins"));

        // ProcessWatchdog alone, as a class file: the cluster must not see the project's test classes
        Path watchdog = launcherDir.resolve(ProcessWatchdog.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(watchdog.getParent());
        try (InputStream in = ProcessWatchdog.class.getResourceAsStream(ProcessWatchdog.class.getSimpleName() + ".class")) {
            Files.copy(in, watchdog);
        }
        List<Path> classPath = new ArrayList<>();
        classPath.add(launcherDir);
        classPath.addAll(libJars);
        classPath.addAll(ClusterClassPath.forCluster());
        ClusterClassPath.writeArgFile(confDir.resolve("classpath.argfile"), classPath);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts one more JobManager and returns its index: the first on the ports of the configuration, each
     * further one (a standby, with HA) on free ports of its own. Does not wait for it.
     */
    synchronized int startJobManager() throws IOException {
        int index = jobManagers.size();
        jobManagerPorts.add(ClusterConfig.jobManagerPorts(config, index));
        jobManagers.add(null);
        startJobManager(index);
        return index;
    }

    /** Starts JobManager {@code index} again (it must have exited), on its ports; does not wait for it. */
    synchronized void startJobManager(int index) throws IOException {
        if (jobManagers.get(index) != null && jobManagers.get(index).isAlive()) {
            throw new IllegalStateException(jobManagerName(index) + " is running");
        }
        String name = jobManagerName(index);
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
        List<String> jvm = new ArrayList<>(split(JobManagerProcessUtils.generateJvmParametersStr(spec, config)));
        jvm.addAll(split(config.get(CoreOptions.FLINK_JM_JVM_OPTIONS)));
        List<String> args = new ArrayList<>();
        args.add("--configDir");
        args.add(confDir.toString());
        jobManagerPorts.get(index).forEach((key, port) -> dynamic(args, key, port));
        dynamic(args, "io.tmp.dirs", Files.createDirectories(workDir.resolve("tmp").resolve(name)).toString());
        args.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
        jobManagers.set(index, launch(name, StandaloneSessionClusterEntrypoint.class.getName(), jvm, args));
    }

    /** {@code jobmanager} for the first JobManager, {@code jobmanager-N} for the others: its log and tmp folder. */
    static String jobManagerName(int index) {
        return index == 0 ? "jobmanager" : "jobmanager-" + index;
    }

    /** JobManager {@code index}'s REST endpoint, {@code http://127.0.0.1:PORT}. */
    synchronized String jobManagerRestUrl(int index) {
        return ClusterConfig.restUrl(jobManagerPorts.get(index));
    }

    synchronized int jobManagersStarted() {
        return jobManagers.size();
    }

    /** Starts one more TaskManager, {@code taskmanager-N}, and returns N; does not wait for it. */
    synchronized int startTaskManager() throws IOException {
        int index = taskManagers.size();
        String name = "taskmanager-" + index;
        List<Integer> ports = ClusterConfig.taskManagerPorts();
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(new Configuration(config));

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

    void killTaskManager(int index) throws InterruptedException {
        Process process;
        synchronized (this) {
            process = taskManagers.get(index);
        }
        kill(process);
    }

    void killJobManager(int index) throws InterruptedException {
        Process process;
        synchronized (this) {
            process = jobManagers.get(index);
        }
        kill(process);
    }

    synchronized boolean jobManagerAlive(int index) {
        return jobManagers.get(index) != null && jobManagers.get(index).isAlive();
    }

    /** See {@link FlinkProcessCluster#replaceTaskManagersThatExit()}. */
    void replaceTaskManagersThatExit() {
        List<Process> exited;
        synchronized (this) {
            replaceExited = true;
            exited = taskManagers.stream().filter(p -> !p.isAlive()).toList();
        }
        exited.forEach(this::taskManagerExited);
    }

    synchronized List<FlinkProcessCluster.TaskManagerExit> taskManagerExits() {
        return List.copyOf(exits);
    }

    synchronized int taskManagersStarted() {
        return taskManagers.size();
    }

    synchronized long taskManagerPid(int index) {
        return taskManagers.get(index).pid();
    }

    synchronized boolean taskManagerAlive(int index) {
        return taskManagers.get(index).isAlive();
    }

    private void taskManagerExited(Process process) {
        long at = System.nanoTime();
        synchronized (this) {
            if (closed || !replaceExited || !stopped.add(process)) {
                return; // killed on purpose, or handled already, or not ours to replace: check() reports it
            }
            int index = taskManagers.indexOf(process);
            int replacement;
            try {
                replacement = startTaskManager();
            } catch (IOException | RuntimeException e) {
                System.err.println("FlinkProcessCluster: cannot start a replacement for taskmanager-" + index + ": " + e);
                replacement = -1;
            }
            exits.add(new FlinkProcessCluster.TaskManagerExit(index, process.pid(), process.exitValue(), at, replacement));
        }
    }

    /** Fails with the end of its log if a process that should be running has exited. */
    synchronized void check() {
        // TaskManagers that exit are replaced (replaceTaskManagersThatExit), perhaps a moment from now
        Map<String, Process> all = new LinkedHashMap<>();
        for (int i = 0; i < jobManagers.size(); i++) {
            all.put(jobManagerName(i), jobManagers.get(i));
        }
        for (int i = 0; i < taskManagers.size() && !replaceExited; i++) {
            all.put("taskmanager-" + i, taskManagers.get(i));
        }
        for (Map.Entry<String, Process> named : all.entrySet()) {
            Process p = named.getValue();
            if (p != null && !p.isAlive() && !stopped.contains(p)) {
                String name = named.getKey();
                throw new IllegalStateException(name + " exited with " + p.exitValue() + "; end of "
                        + logDir.resolve(name + ".log") + ":\n" + tail(logDir.resolve(name + ".log"), 60));
            }
        }
    }

    /** Kills every process (SIGKILL) and waits for them to exit. */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down already
        }
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
        Files.writeString(log, "#### " + LocalTime.now() + " " + String.join(" ", command) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
        // as the image runs the Flink processes: Flink's entrypoint preloads jemalloc, with which Vosk decodes
        // with about a third less CPU; containerized.*.env.LD_PRELOAD (below; empty for glibc) replaces it
        Path jemalloc = Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");
        if (Files.isRegularFile(jemalloc)) {
            builder.environment().put("LD_PRELOAD", jemalloc.toString());
        }
        // environment variables from the configuration, as Flink's containerized deployments take them
        // (containerized.master.env.NAME, containerized.taskmanager.env.NAME): e.g. LD_PRELOAD of another allocator
        String envPrefix = name.startsWith("taskmanager") ? "containerized.taskmanager.env." : "containerized.master.env.";
        config.toMap().forEach((key, value) -> {
            if (key.startsWith(envPrefix)) {
                builder.environment().put(key.substring(envPrefix.length()), value);
            }
        });
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
        jobManagers.stream().filter(p -> p != null).forEach(all::add);
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

    private static void dynamic(List<String> args, String key, String value) {
        args.add("-D");
        args.add(key + "=" + value);
    }

    private static List<String> split(String options) {
        return options == null || options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+"));
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
