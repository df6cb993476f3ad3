package io.flinkasr.cluster;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * The first class each process of a {@link FlinkProcessCluster} runs: it starts a daemon thread that
 * halts the JVM when its standard input ends, then runs the real main class ({@code args[0]}) with the
 * remaining arguments.
 *
 * <p>Standard input is a pipe from the test JVM that nobody writes to; it ends when the test JVM exits in
 * any way, SIGKILL included (a failsafe timeout, a killed Maven). So a crashed test never leaves a
 * JobManager or TaskManager running on the machine.
 *
 * <p>It must only use the JDK: {@link FlinkProcessCluster} copies this class file alone onto the class
 * path of the cluster processes, which do not see the project's classes.
 */
public final class ProcessWatchdog {
    private ProcessWatchdog() {}

    public static void main(String[] args) throws Throwable {
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // nothing is ever written; wait for the end of the stream
                }
            } catch (IOException ignored) {
                // the pipe broke: the parent is gone just the same
            }
            System.err.println("ProcessWatchdog: the test JVM is gone, halting");
            Runtime.getRuntime().halt(143);
        }, "test-jvm-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Class.forName(args[0])
                    .getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
