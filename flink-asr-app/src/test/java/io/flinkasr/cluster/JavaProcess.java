package io.flinkasr.cluster;

import io.flinkasr.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A main class of the test class path run as a separate JVM (behind {@link ProcessWatchdog}, so it dies
 * with the test JVM), its output appended to a log file: for fault tests that SIGKILL a Kafka broker or the
 * API and start it again with the same arguments.
 */
public final class JavaProcess implements AutoCloseable {
    private final String name;
    private final Path log;
    private final List<String> command;
    private final java.util.Map<String, String> environment;
    private Process process;

    private JavaProcess(String name, Path log, List<String> command, java.util.Map<String, String> environment) {
        this.name = name;
        this.log = log;
        this.command = command;
        this.environment = environment;
    }

    /**
     * Starts {@code mainClass args} with {@code jvmOptions} on the test JVM's class path, output to
     * {@code log} (appended), and waits until a line of its output contains {@code readyLine}.
     */
    public static JavaProcess start(String name, Path log, List<String> jvmOptions, String mainClass, List<String> args,
            String readyLine, Duration timeout) throws Exception {
        return start(name, log, jvmOptions, java.util.Map.of(), mainClass, args, readyLine, timeout);
    }

    /** As {@link #start(String, Path, List, String, List, String, Duration)}, with these environment variables added. */
    public static JavaProcess start(String name, Path log, List<String> jvmOptions, java.util.Map<String, String> environment,
            String mainClass, List<String> args, String readyLine, Duration timeout) throws Exception {
        Path argFile = log.resolveSibling(name + ".classpath.argfile");
        Files.createDirectories(log.toAbsolutePath().getParent());
        ClusterClassPath.writeArgFile(argFile, ClusterClassPath.ofTests());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("@" + argFile);
        command.add(ProcessWatchdog.class.getName());
        command.add(mainClass);
        command.addAll(args);
        JavaProcess p = new JavaProcess(name, log, command, environment);
        p.launch(readyLine, timeout);
        return p;
    }

    /** SIGKILLs the process and waits until it is gone. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " survived SIGKILL for 30 s");
            }
        }
    }

    /** Starts the process again with the same command line (killing it first if it runs) and waits until ready. */
    public void restart(String readyLine, Duration timeout) throws Exception {
        kill();
        launch(readyLine, timeout);
    }

    /** Stops the process with SIGTERM (its shutdown hooks run) and waits until it is gone. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    /** The process id of the running JVM. */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public Path log() {
        return log;
    }

    private void launch(String readyLine, Duration timeout) throws Exception {
        long from = Files.exists(log) ? Files.size(log) : 0;
        Files.writeString(log, "#### " + LocalTime.now() + " " + String.join(" ", command) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        Await.until(name + " printed '" + readyLine + "' (see " + log + ")", timeout, Duration.ofMillis(100), () -> {
            String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            if (output.length() > from && output.substring((int) Math.min(from, output.length())).contains(readyLine)) {
                return true;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            return false;
        });
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /** {@link #close()}, for clean-up paths that must go on: an interruption is kept for the caller. */
    public void closeQuietly() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
