package io.flinkasr.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the project's shell scripts ({@code deploy/flink-asr-deploy.sh}, {@code deploy/submit-job.sh},
 * {@code deploy/flink-entrypoint.sh}) run by bash as its own process, as an operator or a container runs it:
 * its arguments, the environment given (over the test JVM's), stdout and stderr kept apart and appended to
 * a log file.
 */
public final class ShellScript {
    /** What a run of a script did: its exit code, stdout, stderr and how long it took. */
    public record Run(List<String> command, int exitCode, String stdout, String stderr, double seconds) {
        /**
         * The {@code name=value} lines of stdout (flink-asr-deploy.sh's results: jar-id, job-id, savepoint,
         * ...), by name; a name given twice keeps its last value.
         */
        public Map<String, String> results() {
            Map<String, String> results = new LinkedHashMap<>();
            for (String line : stdout.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0 && line.substring(0, eq).matches("[A-Za-z0-9._-]+")) {
                    results.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return results;
        }

        public String result(String name) {
            String value = results().get(name);
            if (value == null) {
                throw new AssertionError("no " + name + "= in the output of " + String.join(" ", command) + ":\n" + this);
            }
            return value;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + " after " + String.format("%.1f s", seconds) + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private ShellScript() {}

    /** The repository's {@code deploy/NAME}. */
    public static Path deploy(String name) {
        return Path.of(System.getProperty("user.dir"), "deploy", name).toAbsolutePath();
    }

    /**
     * Runs {@code bash script args} with {@code environment} over the test JVM's and waits for it (killed
     * after {@code timeout}); its output is appended to {@code log} as well.
     */
    public static Run run(Path script, List<String> args, Map<String, String> environment, Path log, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(script.toString());
        command.addAll(args);
        Path out = Files.createTempFile(log.toAbsolutePath().getParent(), "stdout", ".txt");
        Path err = Files.createTempFile(log.toAbsolutePath().getParent(), "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        Process process = builder.start();
        boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Run run = new Run(command, ended ? process.exitValue() : -1,
                Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), seconds);
        Files.delete(out);
        Files.delete(err);
        Files.writeString(log, "#### " + LocalTime.now() + " " + String.join(" ", command) + "\n" + run + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (!ended) {
            throw new AssertionError(String.join(" ", command) + " still ran after " + timeout + "; killed:\n" + run);
        }
        return run;
    }
}
