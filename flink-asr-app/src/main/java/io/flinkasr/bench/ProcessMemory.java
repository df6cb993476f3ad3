package io.flinkasr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/** This process's resident memory as Linux reports it in {@code /proc/self/status}: now (VmRSS) and its peak (VmHWM). */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** Resident memory now, in MiB; empty where /proc is not there. */
    public static OptionalDouble residentMib() {
        return field("VmRSS:");
    }

    /** The highest resident memory so far, in MiB. */
    public static OptionalDouble peakResidentMib() {
        return field("VmHWM:");
    }

    private static OptionalDouble field(String name) {
        try {
            return OptionalDouble.of(parse(Files.readString(Path.of("/proc/self/status")), name));
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }

    /** A "Name:   123456 kB" line of a status file, in MiB. */
    static double parse(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).replace("kB", "").strip()) / 1024.0;
            }
        }
        throw new IllegalArgumentException("no " + name + " in the status");
    }
}
