package io.flinkasr.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import org.apache.flink.metrics.testutils.MetricListener;
import org.junit.jupiter.api.Test;

class JobOutcomesTest {
    private static final long SUBMITTED = 1_800_000_000_000L;
    private static final long TWENTY_SECONDS_LATER = SUBMITTED + 20_000;

    private final MetricListener metrics = new MetricListener();
    private final JobOutcomes outcomes = new JobOutcomes(metrics.getMetricGroup());

    @Test
    void finishedJobsCountTheirMediaAndTheirTime() {
        outcomes.ended(ended(JobState.Finished, 11.5, null));
        outcomes.ended(ended(JobState.Finished, 4.65, null));

        assertThat(metrics.getCounter("jobsFinished").orElseThrow().getCount()).isEqualTo(2);
        assertThat(metrics.getCounter("audioMillisTranscribed").orElseThrow().getCount()).isEqualTo(11_500 + 4_650);
        assertThat(metrics.getCounter("jobMillisTaken").orElseThrow().getCount()).isEqualTo(2 * 20_000);
        assertThat(metrics.getHistogram("jobMediaSeconds").orElseThrow().getStatistics().getMax()).isEqualTo(12);
    }

    @Test
    void failedJobsAreCountedByErrorCode() {
        outcomes.ended(ended(JobState.Failed, 0, "Job.Timeout"));
        outcomes.ended(ended(JobState.Failed, 0, "Job.Timeout"));
        outcomes.ended(ended(JobState.Failed, 3, "Media.Corrupt"));

        assertThat(metrics.getCounter("code", "Job.Timeout", "jobsFailed").orElseThrow().getCount()).isEqualTo(2);
        assertThat(metrics.getCounter("code", "Media.Corrupt", "jobsFailed").orElseThrow().getCount()).isEqualTo(1);
        assertThat(metrics.getCounter("jobsFinished").orElseThrow().getCount()).isZero();
        assertThat(metrics.getCounter("audioMillisTranscribed").orElseThrow().getCount()).isZero();
    }

    private static JobStatus ended(JobState state, double mediaSeconds, String errorCode) {
        JobRequest request = new JobRequest();
        request.jobId = "job";
        request.createTime = SUBMITTED;
        JobStatus status = JobStatus.of(request, state, TWENTY_SECONDS_LATER);
        status.mediaSeconds = mediaSeconds;
        status.errorCode = errorCode;
        return status;
    }
}
