package io.flinkasr.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one run measured, as written to {@code latest.json}. Figures from different runs are not
 * comparable where the machine's speed drifts: compare ratios within a run.
 *
 * @param memory null where not measured (a remote deployment)
 */
public record BenchResult(
        Header header,
        List<PhaseTime> phases,
        RawLimit raw,
        List<Batch> batches,
        LongFile longFile,
        Latency latency,
        Memory memory,
        List<String> notes) {

    public BenchResult {
        phases = List.copyOf(phases);
        batches = List.copyOf(batches);
        notes = List.copyOf(notes);
    }

    /**
     * Where and what ran.
     *
     * @param target "local" or the API address of a deployment
     * @param parallelism the pipeline's parallelism of the stack the single-file and latency phases ran on (null: a deployment's)
     */
    public record Header(
            String date,
            int cores,
            String cpuModel,
            double memoryGib,
            String java,
            String commit,
            boolean quick,
            String target,
            int threads,
            Integer parallelism,
            String model,
            double modelDiskMib,
            String allocator) {

        public boolean local() {
            return "local".equals(target);
        }
    }

    public record PhaseTime(String phase, double seconds) {}

    /**
     * The limit: raw Vosk on this machine.
     *
     * @param warm one recognizer per thread reused across files, at each thread count measured
     * @param naive a fresh recognizer per file, at {@code Header.threads}
     * @param clipOneThread the 10 s clip decoded whole by one warm recognizer
     */
    public record RawLimit(List<ThroughputRun> warm, ThroughputRun naive, LatencyStats clipOneThread) {
        public RawLimit {
            warm = List.copyOf(warm);
        }

        public ThroughputRun warmAt(int threads) {
            return warm.stream().filter(r -> r.parallelism() != null && r.parallelism() == threads).findFirst().orElse(null);
        }
    }

    /**
     * One batch submitted at once through the API, next to raw Vosk warm on as many threads on the same files.
     *
     * @param clientCpuSeconds CPU of this benchmark's submitting and polling thread, left out of the pipeline's
     * @param idleStackCores the CPU the stack used while idle just before the batch, in cores (null: not measured)
     * @param notFinished the jobs that did not end Finished
     */
    public record Batch(ThroughputRun pipeline, ThroughputRun rawWarm, int jobs, Double clientCpuSeconds, Double idleStackCores,
            List<IceJobs.Outcome> notFinished) {
        public Batch {
            notFinished = List.copyOf(notFinished);
        }

        /** Pipeline throughput over raw warm throughput. */
        @JsonProperty("efficiency")
        public double efficiency() {
            return pipeline.speed() / rawWarm.speed();
        }

        /** The pipeline's CPU over raw Vosk's for the same audio, minus 1; null where CPU was not measured. */
        @JsonProperty("cpuBeyondVosk")
        public Double cpuBeyondVosk() {
            if (pipeline.cpuSeconds() == null || rawWarm.cpuPerAudioSecond() == null) {
                return null;
            }
            return pipeline.cpuSeconds() / (rawWarm.cpuPerAudioSecond() * pipeline.audioSeconds()) - 1;
        }
    }

    /** The long file alone, in interleaved pairs: raw Vosk whole in one thread, then flink-asr submit → Finished. */
    public record LongFile(String input, double audioSeconds, List<Double> raw, List<Double> pipeline) {
        public LongFile {
            raw = List.copyOf(raw);
            pipeline = List.copyOf(pipeline);
        }

        @JsonProperty("ratios")
        public List<Double> ratios() {
            List<Double> r = new ArrayList<>();
            for (int i = 0; i < Math.min(raw.size(), pipeline.size()); i++) {
                r.add(pipeline.get(i) / raw.get(i));
            }
            return r;
        }

        /** The median of the pairs' pipeline / raw ratios. */
        @JsonProperty("medianRatio")
        public double medianRatio() {
            return LatencyStats.median(ratios());
        }
    }

    /**
     * The clip's submit → Finished, on the idle warm stack and beside the long load.
     *
     * @param loadSubmissions how often the load was submitted: again whenever it ended before the clip runs did
     * @param discarded clip runs not counted because the load had ended by the time the clip finished
     */
    public record Latency(
            String clip,
            double clipSeconds,
            double rawOneThread,
            LatencyStats idle,
            LatencyStats loaded,
            String load,
            double loadSeconds,
            int loadSubmissions,
            int discarded) {}

    /**
     * The local stack's JVM (Kafka, the Flink MiniCluster and the API together).
     *
     * @param slots task slots = the pipeline's parallelism
     * @param heapAfterGcFirstMib heap in use after a full GC right after the stack's warm-up
     * @param heapAfterGcMib the same after the batch, the long file and the idle clip runs
     */
    public record Memory(
            int slots,
            double residentMib,
            double peakResidentMib,
            double heapAfterGcFirstMib,
            int jobsFirst,
            double heapAfterGcMib,
            int jobsKnown) {}

    /** The batch at the parallelism of the main stack (or the only one). */
    public Batch mainBatch() {
        if (header.parallelism() != null) {
            for (Batch b : batches) {
                if (header.parallelism().equals(b.pipeline().parallelism())) {
                    return b;
                }
            }
        }
        return batches.isEmpty() ? null : batches.get(batches.size() - 1);
    }
}
