package io.flinkasr.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Progress as it goes: a line when a phase starts and one with its figures when it ends, each with the time
 * since the run began, and a live counter while jobs run (rewritten in place on a terminal, a line every
 * 10 s otherwise). Keeps each phase's duration for the report.
 */
public final class PhaseLog {
    /** A piece of work that may throw. */
    public interface Work<T> {
        T run() throws Exception;
    }

    private final PrintStream out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private final List<BenchResult.PhaseTime> times = new ArrayList<>();
    private long lastLive;
    private boolean liveShown;

    public PhaseLog(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Runs a phase: announces it, times it, prints {@code summary} of its result. */
    public <T> T phase(String name, Work<T> work, java.util.function.Function<T, String> summary) throws Exception {
        line("▶ " + name + " ...");
        long t0 = System.nanoTime();
        T result = work.run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        times.add(new BenchResult.PhaseTime(name, seconds));
        String said = summary == null ? null : summary.apply(result);
        line(String.format(Locale.ROOT, "✓ %s (%.1f s)%s", name, seconds, said == null || said.isEmpty() ? "" : ": " + said));
        return result;
    }

    public void line(String text) {
        if (liveShown && terminal) {
            out.print("\r\033[K");
        }
        liveShown = false;
        out.printf(Locale.ROOT, "[%6.1f s] %s%n", elapsed(), text);
        out.flush();
    }

    /** A counter that changes often: in place on a terminal, otherwise at most every 10 s. */
    public void live(String text) {
        long now = System.nanoTime();
        if (terminal) {
            out.printf(Locale.ROOT, "\r\033[K[%6.1f s]   %s", elapsed(), text);
            out.flush();
            liveShown = true;
        } else if (now - lastLive >= 10_000_000_000L) {
            lastLive = now;
            out.printf(Locale.ROOT, "[%6.1f s]   %s%n", elapsed(), text);
            out.flush();
        }
    }

    public double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }

    public List<BenchResult.PhaseTime> times() {
        return List.copyOf(times);
    }
}
