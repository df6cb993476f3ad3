package io.flinkasr.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Waits for something a test cannot be told about, by asking again: a job's state through an API, a
 * process's REST endpoint, a cluster's subtasks. One place for the loop, its deadline and its failure
 * message, which says what was seen last (Flink's {@code CommonTestUtils.waitUntilCondition} waits without
 * a deadline or fails with "Condition was not met in given timeout", which does not say where it stopped).
 */
public final class Await {
    /** One look at the thing waited for; an {@link IOException} means "not answering yet", and is asked again. */
    @FunctionalInterface
    public interface Probe<T> {
        T look() throws Exception;
    }

    private Await() {}

    /**
     * Asks {@code probe} every {@code every} until {@code done} holds for what it returns, and returns that;
     * a TimeoutException after {@code timeout}, naming {@code what} and the last answer (or error).
     */
    public static <T> T until(String what, Duration timeout, Duration every, Probe<T> probe, Predicate<? super T> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = "nothing yet";
        while (true) {
            try {
                T seen = probe.look();
                if (seen != null && done.test(seen)) {
                    return seen;
                }
                last = seen;
            } catch (IOException e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(what + ": not within " + timeout + "; last seen: " + last);
            }
            Thread.sleep(every.toMillis());
        }
    }

    /** {@link #until} for a condition that is its own answer. */
    public static void until(String what, Duration timeout, Duration every, Probe<Boolean> condition) throws Exception {
        until(what, timeout, every, condition, Boolean::booleanValue);
    }
}
