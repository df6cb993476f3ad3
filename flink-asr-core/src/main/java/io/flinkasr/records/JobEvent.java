package io.flinkasr.records;

/**
 * What the chunker tells the assembler about a job, beside the chunks themselves: that work started,
 * that the last chunk was cut (and how many there are), or that the input failed.
 */
public class JobEvent {
    public enum Type { STARTED, CHUNKED, FAILED }

    public String jobId;
    public Type type;
    /** Set on STARTED. */
    public JobRequest request;
    /** Set on CHUNKED. */
    public int totalChunks;
    /** Seconds of media to recognise, set on STARTED once probed. */
    public double mediaSeconds;
    public String errorCode;
    public String errorMessage;

    public JobEvent() {}

    public static JobEvent started(JobRequest request, double mediaSeconds) {
        JobEvent e = new JobEvent();
        e.jobId = request.jobId;
        e.type = Type.STARTED;
        e.request = request;
        e.mediaSeconds = mediaSeconds;
        return e;
    }

    public static JobEvent chunked(String jobId, int totalChunks) {
        JobEvent e = new JobEvent();
        e.jobId = jobId;
        e.type = Type.CHUNKED;
        e.totalChunks = totalChunks;
        return e;
    }

    public static JobEvent failed(JobRequest request, String code, String message) {
        JobEvent e = new JobEvent();
        e.jobId = request.jobId;
        e.type = Type.FAILED;
        e.request = request;
        e.errorCode = code;
        e.errorMessage = message;
        return e;
    }

    @Override
    public String toString() {
        return "JobEvent{" + jobId + " " + type + "}";
    }
}
