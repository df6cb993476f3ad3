package io.flinkasr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU seconds of this process's threads, by thread name, as Linux counts them in {@code /proc/self/task}:
 * Java threads (Flink's task threads carry the operator's name, cut to 15 characters) and the JVM's own (JIT,
 * GC). Two snapshots give what each group of threads spent in between, so Vosk's CPU in the pipeline's
 * recognition threads can be set against raw Vosk's threads in the same run. Digits in names are folded
 * ({@code kafka-request-handler-3} and {@code -4} are one group).
 */
public final class ThreadCpu {
    /** The recognition operator's task threads ("Recognize chunk (1/2)#0", cut by Linux to 15 characters). */
    public static final String RECOGNITION = "Recognize chunk";

    private final Map<String, Long> ticksByThread;
    private final Map<String, String> nameByThread;

    private ThreadCpu(Map<String, Long> ticksByThread, Map<String, String> nameByThread) {
        this.ticksByThread = ticksByThread;
        this.nameByThread = nameByThread;
    }

    /** The CPU of every thread alive now; empty where /proc is not there. */
    public static ThreadCpu now() {
        Map<String, Long> ticks = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
                    String tid = task.getFileName().toString();
                    ticks.put(tid, Long.parseLong(f[11]) + Long.parseLong(f[12])); // utime + stime
                    names.put(tid, name);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return new ThreadCpu(ticks, names);
    }

    /** CPU seconds per thread group from {@code before} to this snapshot, largest first (threads that ended meanwhile are missing). */
    public Map<String, Double> since(ThreadCpu before) {
        Map<String, Double> groups = new HashMap<>();
        ticksByThread.forEach((tid, ticks) -> {
            long spent = ticks - before.ticksByThread.getOrDefault(tid, 0L);
            if (spent > 0) {
                groups.merge(group(nameByThread.get(tid)), spent / ProcessCpu.TICKS_PER_SECOND, Double::sum);
            }
        });
        Map<String, Double> sorted = new LinkedHashMap<>();
        groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    static String group(String name) {
        return name.replaceAll("\\d+", "#");
    }

    /** The largest {@code top} groups as "name 12.3 s", the rest summed. */
    public static String describe(Map<String, Double> groups, int top) {
        List<String> parts = new ArrayList<>();
        double rest = 0;
        int i = 0;
        for (Map.Entry<String, Double> e : groups.entrySet()) {
            if (i++ < top) {
                parts.add(String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue()));
            } else {
                rest += e.getValue();
            }
        }
        if (rest > 0) {
            parts.add(String.format(Locale.ROOT, "other threads %.1f s", rest));
        }
        return String.join(", ", parts);
    }
}
