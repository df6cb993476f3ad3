package io.flinkasr.operators;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the JobManager for a checkpoint (Flink's REST call {@code POST /jobs/:jobid/checkpoints}) as soon as a
 * job's final state has been handed to the sink. The sink is transactional, so that state becomes visible only
 * when a checkpoint after it completes; without a nudge it waits for the next periodic one (on average half
 * the interval, more while one is under way). A checkpoint asked for after the state was written always holds
 * it (its barrier enters the sources later and follows the record), so nothing about exactly-once changes:
 * this only moves a checkpoint earlier.
 *
 * <p>Asks come from one thread: states written while a request is on its way are covered by the next one,
 * and requests are at least {@link #MIN_GAP} apart, so a burst of finished jobs costs a few checkpoints, not
 * one each. A JobManager that does not answer (a standby, a restart) is logged once; the periodic checkpoints
 * still make every state visible.
 */
public final class CheckpointNudge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointNudge.class);

    /** The least time between two requests. */
    static final Duration MIN_GAP = Duration.ofMillis(50);

    private final URI trigger;
    private final HttpClient http;
    private final Thread thread;
    private final Object lock = new Object();
    private boolean wanted;
    private boolean closed;
    private boolean warned;
    private long sent;

    /** Nudges the checkpoints of Flink job {@code jobId} through the REST endpoint at {@code restUrl}. */
    public CheckpointNudge(String restUrl, String jobId) {
        String base = restUrl.endsWith("/") ? restUrl.substring(0, restUrl.length() - 1) : restUrl;
        this.trigger = URI.create(base + "/jobs/" + jobId + "/checkpoints");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        this.thread = new Thread(this::run, "checkpoint-nudge");
        thread.setDaemon(true);
        thread.start();
    }

    /** A final state has just been written: a checkpoint is wanted. */
    public void stateWritten() {
        synchronized (lock) {
            wanted = true;
            lock.notifyAll();
        }
    }

    /** Checkpoints asked for so far. */
    public long sent() {
        synchronized (lock) {
            return sent;
        }
    }

    private void run() {
        try {
            while (true) {
                synchronized (lock) {
                    while (!wanted && !closed) {
                        lock.wait();
                    }
                    if (closed) {
                        return;
                    }
                    wanted = false;
                }
                ask();
                Thread.sleep(MIN_GAP.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ask() throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(trigger).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        try {
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 != 2) {
                warnOnce("answered " + answer.statusCode() + " " + answer.body());
            }
        } catch (java.io.IOException e) {
            warnOnce(e.toString());
        }
        synchronized (lock) {
            sent++;
        }
    }

    private void warnOnce(String why) {
        if (!warned) {
            warned = true;
            LOG.warn("Could not ask for a checkpoint at {} ({}); states become visible with the periodic checkpoints", trigger, why);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        thread.interrupt();
    }
}
