package io.flinkasr.records;

/**
 * A validated SubmitASRJob request, as the API writes it to the requests topic (key = jobId) and the
 * Flink job reads it. Times are seconds; {@code duration <= 0} means "to the end of the media".
 */
public class JobRequest {
    public String jobId;
    public long userId;
    /** The access key that submitted the job (it signs the job's completion callback). */
    public String accessKeyId;
    /** What the user passed as InputFile, echoed back verbatim. */
    public String inputFile;
    /** Where the media is, when InputFile names a registered media asset (its InputURL); else null. */
    public String mediaUrl;
    public String title;
    public String description;
    /** The UserData JSON string, echoed back verbatim (may be null). */
    public String userData;
    /** StartTime and Duration as the user gave them (HH:MM:SS[.fff]), echoed in JobParameters. */
    public String startTimeText;
    public String durationText;
    public double startTime;
    public double duration;
    /** Upper bound on segment length in words (EditingConfig.SentenceMaxLength), 0 = default. */
    public int sentenceMaxLength;
    /** EditingConfig as given (JSON), echoed back. */
    public String editingConfig;
    /** JobParameters' request_params as given (for example {@code &enable_word_level_result=true}). */
    public String requestParams;
    /** Whether segments carry their words (enable_word_level_result=true in request_params). */
    public boolean wordLevel;
    /** Epoch milliseconds. */
    public long createTime;

    public JobRequest() {}

    /** Where the job reads its media from. */
    public String source() {
        return mediaUrl != null ? mediaUrl : inputFile;
    }

    @Override
    public String toString() {
        return "JobRequest{" + jobId + ", " + inputFile + "}";
    }
}
