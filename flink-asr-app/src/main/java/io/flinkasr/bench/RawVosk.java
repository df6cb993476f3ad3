package io.flinkasr.bench;

import io.flinkasr.recognition.RecognizerMode;
import io.flinkasr.recognition.VoskRecognizer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * The limit: the same Vosk library and model as the pipeline, on PCM decoded beforehand, with nothing
 * around it. A batch runs on N threads, each taking the longest file left and decoding it whole; in
 * {@link RecognizerMode#REUSED} mode each thread keeps one recognizer for all its files (warm), in
 * {@link RecognizerMode#FRESH} mode it makes one per file (the naive way).
 */
public final class RawVosk implements AutoCloseable {
    private static final float SAMPLE_RATE = 16000f;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final String modelPath;
    private final byte[] warmUp;
    private final VoskRecognizer single;
    private double lastThreadCpuSeconds = Double.NaN;

    /**
     * Loads the model (the JVM's shared one, as the pipeline's) and warms a recognizer for single-file runs.
     *
     * @param warmUp PCM of a short recording, decoded once by every new recognizer before it is timed
     */
    public RawVosk(String modelPath, byte[] warmUp) {
        this.modelPath = modelPath;
        this.warmUp = warmUp;
        this.single = new VoskRecognizer(modelPath, SAMPLE_RATE, RecognizerMode.REUSED);
        single.recognize(warmUp);
    }

    /** The CPU that the last batch's threads spent decoding (their own, not the rest of the process's), in seconds. */
    public double lastThreadCpuSeconds() {
        return lastThreadCpuSeconds;
    }

    /** Seconds one thread takes to decode {@code pcm} whole on a warm recognizer. */
    public double wholeFileSeconds(byte[] pcm) {
        long t0 = System.nanoTime();
        single.recognize(pcm);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The batch on {@code threads} threads, longest file first; the process's CPU is measured over the timed part. */
    public ThroughputRun batch(List<byte[]> files, int threads, RecognizerMode mode) throws InterruptedException {
        List<byte[]> longestFirst = new ArrayList<>(files);
        longestFirst.sort(Comparator.comparingInt((byte[] pcm) -> pcm.length).reversed());
        ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>(longestFirst);
        double audio = files.stream().mapToDouble(pcm -> pcm.length / (2.0 * SAMPLE_RATE)).sum();

        LongAdder ownNanos = new LongAdder();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "raw-vosk");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                workers.add(pool.submit(() -> {
                    boolean counted = false;
                    try (VoskRecognizer recognizer = new VoskRecognizer(modelPath, SAMPLE_RATE, mode)) {
                        recognizer.recognize(warmUp);
                        ready.countDown();
                        counted = true;
                        go.await();
                        long own0 = THREADS.getCurrentThreadCpuTime();
                        for (byte[] pcm = queue.poll(); pcm != null; pcm = queue.poll()) {
                            recognizer.recognize(pcm);
                        }
                        ownNanos.add(THREADS.getCurrentThreadCpuTime() - own0);
                    } finally {
                        if (!counted) {
                            ready.countDown(); // failed before the start: do not keep the others waiting
                        }
                    }
                    return null;
                }));
            }
            ready.await();
            double cpu0 = ProcessCpu.seconds().orElse(Double.NaN);
            long t0 = System.nanoTime();
            go.countDown();
            for (Future<?> w : workers) {
                w.get();
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = ProcessCpu.seconds().orElse(Double.NaN) - cpu0;
            lastThreadCpuSeconds = ownNanos.sum() / 1e9;
            String kind = mode == RecognizerMode.REUSED ? ThroughputRun.RAW_WARM : ThroughputRun.RAW_NAIVE;
            return new ThroughputRun(kind, threads, audio, wall, Double.isNaN(cpu) ? null : cpu);
        } catch (ExecutionException e) {
            throw new IllegalStateException("raw Vosk failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public void close() {
        single.close();
    }
}
