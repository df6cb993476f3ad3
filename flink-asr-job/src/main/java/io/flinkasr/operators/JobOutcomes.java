package io.flinkasr.operators;

import io.flinkasr.records.JobStatus;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * How the jobs that end on a subtask end, as Flink metrics (for Prometheus and the Grafana dashboard):
 * jobsFinished, jobsFailed by ErrorCode (a {@code code} label), the media of finished jobs
 * (audioMillisTranscribed, jobMediaSeconds) and the time they took from submission (jobMillisTaken, whose rate
 * over audioMillisTranscribed's is the jobs' real-time factor).
 */
final class JobOutcomes {
    /** Jobs whose media lengths the jobMediaSeconds histogram summarises. */
    private static final int JOBS_KEPT = 500;

    private final MetricGroup group;
    private final Counter finished;
    private final Counter audioMillis;
    private final Counter millisTaken;
    private final Histogram mediaSeconds;
    private final Map<String, Counter> failedByCode = new HashMap<>();

    JobOutcomes(MetricGroup group) {
        this.group = group;
        finished = group.counter("jobsFinished");
        audioMillis = group.counter("audioMillisTranscribed");
        millisTaken = group.counter("jobMillisTaken");
        mediaSeconds = group.histogram("jobMediaSeconds", new DescriptiveStatisticsHistogram(JOBS_KEPT));
    }

    void ended(JobStatus last) {
        switch (last.state) {
            case Finished -> {
                finished.inc();
                audioMillis.inc(Math.round(last.mediaSeconds * 1000));
                millisTaken.inc(Math.max(0, last.modifiedTime - last.request.createTime));
                mediaSeconds.update(Math.round(last.mediaSeconds));
            }
            case Failed -> failedByCode.computeIfAbsent(last.errorCode == null ? "Unknown" : last.errorCode,
                    code -> group.addGroup("code", code).counter("jobsFailed")).inc();
            default -> { }
        }
    }
}
