package io.flinkasr.records;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A job as the outside world sees it: its request, its state and, once Finished, its segments. The
 * Flink job writes these to the compacted states topic (key = jobId); the API serves them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JobStatus {
    public JobRequest request;
    public JobState state;
    /** Epoch milliseconds of the last change. */
    public long modifiedTime;
    public Segment[] segments;
    public ChunkInfo[] chunks;
    public int chunksDone;
    /** -1 while the chunker is still cutting. */
    public int chunksTotal = -1;
    public double mediaSeconds;
    /** Seconds of media recognised so far. */
    public double secondsDone;
    public String errorCode;
    public String errorMessage;

    public JobStatus() {}

    public static JobStatus of(JobRequest request, JobState state, long modifiedTime) {
        JobStatus s = new JobStatus();
        s.request = request;
        s.state = state;
        s.modifiedTime = modifiedTime;
        return s;
    }

    /** The same job without its segments and chunks: what a list or a summary shows. */
    public JobStatus withoutSegments() {
        JobStatus s = of(request, state, modifiedTime);
        s.chunksDone = chunksDone;
        s.chunksTotal = chunksTotal;
        s.mediaSeconds = mediaSeconds;
        s.secondsDone = secondsDone;
        s.errorCode = errorCode;
        s.errorMessage = errorMessage;
        return s;
    }

    public String jobId() {
        return request.jobId;
    }

    @Override
    public String toString() {
        return "JobStatus{" + request.jobId + " " + state + (errorCode != null ? " " + errorCode : "") + "}";
    }
}
