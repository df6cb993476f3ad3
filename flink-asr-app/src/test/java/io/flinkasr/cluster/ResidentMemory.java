package io.flinkasr.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's resident memory as Linux reports it: {@code VmRSS} in {@code /proc/<pid>/status}. */
public final class ResidentMemory {
    private ResidentMemory() {}

    /** The resident set size of process {@code pid}, in MiB. */
    public static double mebibytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                // "VmRSS:	  123456 kB"
                return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").strip()) / 1024.0;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status (a kernel thread, or a zombie)");
    }
}
