package io.flinkasr.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * What flink-asr tells when a job ends (Finished or Failed): the body of a completion callback and a record
 * of the events topic. Names and times as ICE writes them in GetSmartHandleJob.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"EventId", "EventType", "JobId", "JobType", "State", "ErrorCode", "ErrorMessage", "UserData",
        "Title", "InputFile", "UserId", "MediaSeconds", "CreateTime", "FinishTime"})
public class CompletionEvent {
    public static final String TYPE = "ASRJobCompleted";

    @JsonProperty("EventId") public String eventId;
    @JsonProperty("EventType") public String eventType = TYPE;
    @JsonProperty("JobId") public String jobId;
    @JsonProperty("JobType") public String jobType = "ASR";
    @JsonProperty("State") public String state;
    @JsonProperty("ErrorCode") public String errorCode;
    @JsonProperty("ErrorMessage") public String errorMessage;
    @JsonProperty("UserData") public String userData;
    @JsonProperty("Title") public String title;
    @JsonProperty("InputFile") public String inputFile;
    @JsonProperty("UserId") public long userId;
    @JsonProperty("MediaSeconds") public Double mediaSeconds;
    @JsonProperty("CreateTime") public String createTime;
    @JsonProperty("FinishTime") public String finishTime;

    public CompletionEvent() {}

    /** The event of a job that has ended; null for a state that is not final. */
    public static CompletionEvent of(JobStatus status) {
        if (status == null || status.request == null || status.state == null || !status.state.isFinal()) {
            return null;
        }
        JobRequest r = status.request;
        CompletionEvent e = new CompletionEvent();
        e.eventId = idOf(r.jobId, status.state);
        e.jobId = r.jobId;
        e.state = status.state.name();
        if (status.state == JobState.Failed) {
            e.errorCode = status.errorCode;
            e.errorMessage = status.errorMessage;
        }
        e.userData = r.userData;
        e.title = r.title;
        e.inputFile = r.inputFile;
        e.userId = r.userId;
        e.mediaSeconds = status.mediaSeconds > 0 ? status.mediaSeconds : null;
        e.createTime = time(r.createTime);
        e.finishTime = time(status.modifiedTime);
        return e;
    }

    /**
     * The id of a job's end: a name-based UUID of the JobId and its final state, so that whoever builds the
     * event again (after any restart) gives it the same id.
     */
    public static String idOf(String jobId, JobState state) {
        return UUID.nameUUIDFromBytes(("flink-asr/" + jobId + "/" + state.name()).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String time(long epochMillis) {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS));
    }
}
