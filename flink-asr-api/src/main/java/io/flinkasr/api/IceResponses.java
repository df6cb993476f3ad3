package io.flinkasr.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.records.ChunkInfo;
import io.flinkasr.records.Json;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Segment;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Jobs in the shape of ICE's responses (GetSmartHandleJob, ListSmartJobs); new information in new fields. */
public final class IceResponses {
    private IceResponses() {}

    /** ISO-8601 UTC to the second, as ICE writes times: 2022-01-21T06:15:02Z. */
    public static String time(long epochMillis) {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS));
    }

    /** The AiResult string: a JSON array of {content, from, to}, and each segment's words when asked for. */
    public static String aiResult(Segment[] segments, boolean withWords) {
        return new String(aiResultBytes(segments, withWords), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** As {@link #aiResult}, its UTF-8 bytes. */
    static byte[] aiResultBytes(Segment[] segments, boolean withWords) {
        Segment[] shown = segments == null ? new Segment[0] : segments;
        if (!withWords) {
            shown = java.util.Arrays.stream(shown).map(s -> new Segment(s.content, s.from, s.to, null)).toArray(Segment[]::new);
        }
        try {
            return Json.MAPPER.writeValueAsBytes(shown);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode job(String requestId, JobStatus status) {
        return job(requestId, status, null);
    }

    /** The answer of GetSmartHandleJob; a Finished job's result as rendered when it finished, if given. */
    public static ObjectNode job(String requestId, JobStatus status, FinishedResult finished) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("RequestId", requestId);
        body.setAll(jobHead(status));
        if (status.state == JobState.Finished && finished != null) {
            body.putObject("JobResult").putRawValue("AiResult", finished.aiResultValue());
            body.putRawValue("Output", finished.aiResultValue());
        } else if (status.state == JobState.Finished) {
            String result = aiResult(status.segments, status.request.wordLevel);
            body.putObject("JobResult").put("AiResult", result);
            body.put("Output", result);
        }
        body.setAll(jobTail(status));
        if (finished != null && status.state == JobState.Finished) {
            body.putRawValue("Chunks", finished.chunksValue());
        } else if (status.chunks != null && status.state == JobState.Finished) { // an Executing state's chunks are for the dashboard
            ArrayNode chunks = body.putArray("Chunks");
            for (ChunkInfo c : status.chunks) {
                chunks.addObject().put("Seq", c.seq).put("From", c.from).put("To", c.to).put("Subtask", c.subtask);
            }
        }
        return body;
    }

    /** The fields of GetSmartHandleJob's answer before a Finished job's result: JobId, State, UserData. */
    static ObjectNode jobHead(JobStatus status) {
        JobRequest r = status.request;
        ObjectNode head = Json.MAPPER.createObjectNode();
        head.put("JobId", r.jobId);
        head.put("State", status.state.name());
        if (r.userData != null) {
            head.put("UserData", r.userData);
        }
        return head;
    }

    /** The fields of GetSmartHandleJob's answer after a Finished job's result: the error, SmartJobInfo, Progress. */
    static ObjectNode jobTail(JobStatus status) {
        ObjectNode tail = Json.MAPPER.createObjectNode();
        if (status.state == JobState.Failed) {
            tail.put("ErrorCode", status.errorCode);
            tail.put("ErrorMessage", status.errorMessage);
        }
        tail.set("SmartJobInfo", smartJobInfo(status));
        tail.set("Progress", progress(status));
        return tail;
    }

    /** One entry of ListSmartJobs' SmartJobList. */
    public static ObjectNode listEntry(JobStatus status) {
        ObjectNode entry = smartJobInfo(status);
        entry.put("JobId", status.request.jobId);
        entry.put("JobState", status.state.name());
        if (status.request.userData != null) {
            entry.put("UserData", status.request.userData);
        }
        if (status.request.editingConfig != null) {
            entry.put("EditingConfig", status.request.editingConfig);
        }
        if (status.state == JobState.Failed) {
            entry.put("ErrorCode", status.errorCode);
            entry.put("ErrorMessage", status.errorMessage);
        }
        return entry;
    }

    private static ObjectNode smartJobInfo(JobStatus status) {
        JobRequest r = status.request;
        ObjectNode info = Json.MAPPER.createObjectNode();
        info.put("JobType", "ASR");
        info.put("Title", r.title);
        if (r.description != null) {
            info.put("Description", r.description);
        }
        info.put("UserId", r.userId);
        info.put("CreateTime", time(r.createTime));
        info.put("ModifiedTime", time(Math.max(status.modifiedTime, r.createTime)));
        ObjectNode input = info.putObject("InputConfig");
        input.put("InputFile", r.inputFile);
        input.put("JobParameters", jobParameters(r));
        return info;
    }

    static String jobParameters(JobRequest r) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        if (r.durationText != null) {
            p.put("duration", r.durationText);
        }
        if (r.startTimeText != null) {
            p.put("start_time", r.startTimeText);
        }
        if (r.requestParams != null) {
            p.put("request_params", r.requestParams);
        }
        return p.toString();
    }

    private static ObjectNode progress(JobStatus status) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("ChunksDone", status.chunksDone);
        if (status.chunksTotal >= 0) {
            p.put("ChunksTotal", status.chunksTotal);
        }
        if (status.mediaSeconds > 0) {
            p.put("MediaSeconds", Math.round(status.mediaSeconds * 1000) / 1000.0);
        }
        p.put("Percent", percent(status));
        return p;
    }

    /** How far the job is, in percent to a tenth: by chunks once their number is known, else by seconds. */
    static double percent(JobStatus status) {
        double percent;
        if (status.state == JobState.Finished) {
            percent = 100;
        } else if (status.chunksTotal > 0) {
            percent = 100.0 * status.chunksDone / status.chunksTotal;
        } else if (status.mediaSeconds > 0) {
            percent = Math.min(99.9, 100.0 * status.secondsDone / status.mediaSeconds);
        } else {
            percent = 0;
        }
        return Math.round(percent * 10) / 10.0;
    }
}
