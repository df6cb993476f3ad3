package io.flinkasr.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.util.RawValue;
import io.flinkasr.records.ChunkInfo;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The part of GetSmartHandleJob's answer that only a Finished job has (its AiResult and its chunks), rendered
 * once, when the job finishes, and kept in the store beside the job. A transcript never changes after that,
 * and rendering it (reading hundreds of KB of segments, writing their numbers and escaping the result into
 * the answer) was most of the API's work for every read of a long job's result.
 *
 * <p>Stored as: the length of the AiResult's escaped text (4 bytes), that text (a JSON string's contents,
 * UTF-8, without its quotes), then the Chunks JSON array. An answer copies the bytes as they are.
 */
public final class FinishedResult {
    private final byte[] stored;
    private final int textLength;

    private FinishedResult(byte[] stored) {
        this.stored = stored;
        this.textLength = ByteBuffer.wrap(stored).getInt();
    }

    /** The rendered result of a Finished job, or null for a job in any other state. */
    public static byte[] render(JobStatus status) {
        if (status.state != JobState.Finished) {
            return null;
        }
        try {
            byte[] text = escaped(IceResponses.aiResultBytes(status.segments, status.request.wordLevel));
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            try (JsonGenerator out = Json.MAPPER.getFactory().createGenerator(chunks)) {
                out.writeStartArray();
                for (ChunkInfo c : status.chunks == null ? new ChunkInfo[0] : status.chunks) {
                    out.writeStartObject();
                    out.writeNumberField("Seq", c.seq);
                    out.writeNumberField("From", c.from);
                    out.writeNumberField("To", c.to);
                    out.writeNumberField("Subtask", c.subtask);
                    out.writeEndObject();
                }
                out.writeEndArray();
            }
            byte[] chunkBytes = chunks.toByteArray();
            return ByteBuffer.allocate(4 + text.length + chunkBytes.length).putInt(text.length).put(text).put(chunkBytes).array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * JSON text (as Jackson writes it: UTF-8, its control characters already escaped) as the contents of a JSON
     * string: each quote and backslash escaped, all else as it is. The same bytes as writing the text as a String
     * value, without making it a String first.
     */
    static byte[] escaped(byte[] json) {
        int extra = 0;
        for (byte b : json) {
            if (b == '"' || b == '\\') {
                extra++;
            }
        }
        byte[] out = new byte[json.length + extra];
        int o = 0;
        for (byte b : json) {
            if (b == '"' || b == '\\') {
                out[o++] = '\\';
            }
            out[o++] = b;
        }
        return out;
    }

    /** A stored result as written by {@link #render}. */
    public static FinishedResult of(byte[] stored) {
        return new FinishedResult(stored);
    }

    /** The AiResult as an answer's value: its UTF-8 bytes, already escaped, copied as they are. */
    RawValue aiResultValue() {
        return new RawValue(new JsonSerializable.Base() {
            @Override
            public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
                if (gen instanceof UTF8JsonGenerator) {
                    gen.writeRawUTF8String(stored, 4, textLength);
                } else { // a generator of chars (toString): the same text, decoded
                    gen.writeRawValue("\"" + new String(stored, 4, textLength, StandardCharsets.UTF_8) + "\"");
                }
            }

            @Override
            public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer) throws IOException {
                serialize(gen, serializers);
            }
        });
    }

    /** The length of the AiResult's escaped text, in bytes. */
    int textLength() {
        return textLength;
    }

    /** Copies the AiResult's escaped text into the array at the position; the position after it. */
    int copyText(byte[] to, int at) {
        System.arraycopy(stored, 4, to, at, textLength);
        return at + textLength;
    }

    /** The length of the Chunks array, in bytes. */
    int chunksLength() {
        return stored.length - 4 - textLength;
    }

    /** Copies the Chunks array into the array at the position; the position after it. */
    int copyChunks(byte[] to, int at) {
        System.arraycopy(stored, 4 + textLength, to, at, chunksLength());
        return at + chunksLength();
    }

    /** The Chunks array as an answer's value. */
    RawValue chunksValue() {
        return new RawValue(new RawJson(java.util.Arrays.copyOfRange(stored, 4 + textLength, stored.length)));
    }

    /** The AiResult as the text it stands for (what a client reads from the answer). */
    String aiResult() {
        try {
            return Json.MAPPER.readValue("\"" + new String(stored, 4, textLength, StandardCharsets.UTF_8) + "\"", String.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
