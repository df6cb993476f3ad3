package io.flinkasr.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * GetSmartHandleJob's answer put together from bytes rendered when the job's state was stored: the frame
 * (every field but RequestId, the result and the callback), the Finished job's {@link FinishedResult}, and
 * the callback. A read then parses no JSON and builds no tree; it copies each part once, into an array as
 * long as the answer (or splices the transcript, kept deflated, into a gzip'd answer). The bytes are those {@link IceResponses#job} writes for the same state.
 *
 * <p>A frame is stored as: the owner's userId (8 bytes), whether the job is Finished (1 byte), the length
 * of the fields before the result (4 bytes), those fields, then the fields after it; the fields are JSON
 * object members without the braces.
 */
final class JobAnswer {
    private static final byte[] REQUEST_ID = bytes("{\"RequestId\":\"");
    private static final byte[] AI_RESULT = bytes(",\"JobResult\":{\"AiResult\":\"");
    private static final byte[] OUTPUT = bytes("\"},\"Output\":\"");
    private static final byte[] CHUNKS = bytes(",\"Chunks\":");
    private static final byte[] CALLBACK = bytes(",\"Callback\":");
    private static final int USER = 0, FINISHED = 8, HEAD_LENGTH = 9, HEAD = 13;

    private JobAnswer() {}

    /** The frame of the state's answer, to store beside it. */
    static byte[] frame(JobStatus status) {
        try {
            byte[] head = Json.MAPPER.writeValueAsBytes(IceResponses.jobHead(status));
            byte[] tail = Json.MAPPER.writeValueAsBytes(IceResponses.jobTail(status));
            int headLength = head.length - 2, tailLength = tail.length - 2; // without the braces
            return ByteBuffer.allocate(HEAD + headLength + tailLength).putLong(status.request.userId)
                    .put((byte) (status.state == JobState.Finished ? 1 : 0)).putInt(headLength)
                    .put(head, 1, headLength).put(tail, 1, tailLength).array();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The user the job belongs to. */
    static long owner(byte[] frame) {
        return ByteBuffer.wrap(frame).getLong(USER);
    }

    /** Whether the answer has a result to add ({@link FinishedResult}). */
    static boolean finished(byte[] frame) {
        return frame[FINISHED] == 1;
    }

    /**
     * The answer as parts, one after the other: runs of the frame and the fixed text between them, and the
     * result's text (twice) and chunks as stored. {@link GzipAnswer#plain} makes its bytes, {@link GzipAnswer#of}
     * its gzip member, splicing the text as it was deflated when stored.
     *
     * @param result the Finished job's result (null for any other state)
     * @param callback the job's callback as its answer shows it, JSON, or null
     */
    static List<GzipAnswer.Part> parts(String requestId, byte[] frame, FinishedResult result, byte[] callback) {
        int headLength = ByteBuffer.wrap(frame).getInt(HEAD_LENGTH);
        int tailLength = frame.length - HEAD - headLength;
        java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream(256 + headLength + tailLength);
        List<GzipAnswer.Part> parts = new ArrayList<>(7);
        run.writeBytes(REQUEST_ID);
        run.writeBytes(requestId.getBytes(StandardCharsets.UTF_8));
        run.write('"');
        run.write(',');
        run.write(frame, HEAD, headLength);
        if (result != null) {
            run.writeBytes(AI_RESULT);
            parts.add(GzipAnswer.Part.plain(run.toByteArray()));
            parts.add(result.textPart());
            parts.add(GzipAnswer.Part.plain(OUTPUT));
            parts.add(result.textPart());
            run.reset();
            run.write('"');
        }
        if (tailLength > 0) {
            run.write(',');
            run.write(frame, HEAD + headLength, tailLength);
        }
        if (result != null) {
            run.writeBytes(CHUNKS);
            parts.add(GzipAnswer.Part.plain(run.toByteArray()));
            parts.add(result.chunksPart());
            run.reset();
        }
        if (callback != null) {
            run.writeBytes(CALLBACK);
            run.writeBytes(callback);
        }
        run.write('}');
        parts.add(GzipAnswer.Part.plain(run.toByteArray()));
        return parts;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
