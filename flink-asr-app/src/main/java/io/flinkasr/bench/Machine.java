package io.flinkasr.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What the run ran on: cores, CPU model and memory from /proc, the JVM, and the source revision from git. */
public record Machine(int cores, String cpuModel, double memoryGib, String java) {

    public static Machine current() {
        return new Machine(Runtime.getRuntime().availableProcessors(), readCpuModel(), readMemoryGib(),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    }

    private static String readCpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static double readMemoryGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.substring("MemTotal:".length()).replace("kB", "").strip()) / (1024.0 * 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024);
    }

    /**
     * The malloc this process (and so Vosk, raw and in the pipeline) allocates with: a preloaded jemalloc or
     * tcmalloc as /proc/self/maps shows it loaded, else glibc's. Vosk's CPU differs by a third between them.
     */
    public static String allocator() {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1)).filter(f -> f.contains("libjemalloc") || f.contains("libtcmalloc"))
                    .findFirst().map(f -> (f.contains("jemalloc") ? "jemalloc (" : "tcmalloc (") + f + ")").orElse("glibc malloc");
        } catch (IOException | java.io.UncheckedIOException e) {
            return "unknown (no /proc)";
        }
    }

    /** {@code git rev-parse --short HEAD} in the working directory, marked when the tree has changes; "unknown" without git. */
    public static String commit() {
        String head = git("rev-parse", "--short", "HEAD");
        if (head == null || head.isEmpty()) {
            return "unknown";
        }
        String changes = git("status", "--porcelain", "--untracked-files=no");
        return changes != null && !changes.isEmpty() ? head + " (with uncommitted changes)" : head;
    }

    private static String git(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "git";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The size of a folder's files, in MiB. */
    public static double folderMib(Path dir) {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum() / (1024.0 * 1024.0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
