package io.flinkasr.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code flink-asr ARGS} as a user runs it: its own JVM (the test class path, so the build's model
 * beside target/classes, and the jar's logging), started in a folder of the test's choosing, stdout and stderr kept in files.
 */
final class FlinkAsrProcess implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;

    private FlinkAsrProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code flink-asr args} in {@code workDir}, its temporary files in {@code tmpDir}. */
    static FlinkAsrProcess start(Path workDir, Path tmpDir, String... args) throws IOException {
        Files.createDirectories(tmpDir);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Djava.io.tmpdir=" + tmpDir.toAbsolutePath(),
                // the logging users get (flink-asr.jar's, on stderr), not the tests' quiet one
                "-Dlog4j2.configurationFile=" + FlinkAsrProcess.class.getResource("/log4j2.properties"),
                "-cp", System.getProperty("java.class.path"), FlinkAsr.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmpDir.getParent(), "flink-asr", ".out");
        Path err = Files.createTempFile(tmpDir.getParent(), "flink-asr", ".err");
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new FlinkAsrProcess(process, out, err);
    }

    /** Waits for the exit code; the process is killed (and the test fails) if it runs past the timeout. */
    int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("flink-asr still ran after " + timeout + "; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** Waits until stderr contains the text (or the process ends or the timeout passes). */
    boolean awaitStderr(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (stderr().contains(text)) {
                return true;
            }
            Thread.sleep(200);
        }
        return stderr().contains(text);
    }

    /** Sends SIGINT, as Ctrl-C in a terminal does. */
    void interrupt() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start().waitFor();
    }

    String stdout() {
        return read(out);
    }

    String stderr() {
        return read(err);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }
}
