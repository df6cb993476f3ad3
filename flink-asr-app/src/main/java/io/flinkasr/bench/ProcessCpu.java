package io.flinkasr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * CPU seconds this process has spent, as Linux counts them in {@code /proc/self/stat}: user and system time
 * of its own threads plus those of the children it has waited for (ffmpeg, ffprobe), so that the decoding
 * the pipeline hands to subprocesses is counted too.
 */
public final class ProcessCpu {
    /** USER_HZ: the unit of /proc/<pid>/stat's times; 100 on every Linux architecture in use. */
    static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {}

    /** utime + stime + cutime + cstime in seconds; empty where /proc is not there (not Linux). */
    public static OptionalDouble seconds() {
        return of(Path.of("/proc/self/stat"));
    }

    /** The same for another process (a server the benchmark started); empty once it has gone. */
    public static OptionalDouble seconds(long pid) {
        return of(Path.of("/proc", String.valueOf(pid), "stat"));
    }

    private static OptionalDouble of(Path stat) {
        try {
            return OptionalDouble.of(parse(Files.readString(stat)));
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }

    /** The four times of a stat line, in seconds. The command name (field 2) may hold spaces and parentheses. */
    static double parse(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): utime, stime, cutime, cstime are fields 14-17
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks / TICKS_PER_SECOND;
    }
}
