package io.flinkasr.api.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.flinkasr.records.JobState;
import io.flinkasr.records.Json;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What the store needs of a job to index it, without its transcript: owner, creation time, state and the
 * time of its last change. Read from a state's JSON without building its segments; kept as 25 bytes.
 */
public record JobHead(String jobId, long userId, long createTime, JobState state, long modifiedTime) {
    static final int BYTES = 8 + 8 + 1 + 8;

    /** The head of a JobStatus JSON, or null when it lacks a JobId or state. */
    public static JobHead parse(byte[] statusJson) throws IOException {
        Parsed p = Json.MAPPER.readValue(statusJson, Parsed.class);
        if (p.request == null || p.request.jobId == null || p.state == null) {
            return null;
        }
        return new JobHead(p.request.jobId, p.request.userId, p.request.createTime, p.state, p.modifiedTime);
    }

    /** When the job ended (its last change), for the expiry index. */
    long endTime() {
        return Math.max(modifiedTime, createTime);
    }

    byte[] bytes() {
        return ByteBuffer.allocate(BYTES).putLong(userId).putLong(createTime).put((byte) state.ordinal())
                .putLong(modifiedTime).array();
    }

    static JobHead of(String jobId, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new JobHead(jobId, b.getLong(), b.getLong(), JobState.values()[b.get()], b.getLong());
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Parsed {
        public Request request;
        public JobState state;
        public long modifiedTime;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Request {
        public String jobId;
        public long userId;
        public long createTime;
    }
}
