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
 * <p>Stored as: a mark ({@value #DEFLATED_LAYOUT}, 4 bytes), the length of the AiResult's escaped text (4 bytes),
 * that text (a JSON string's contents, UTF-8, without its quotes), its CRC-32 (4 bytes), the length of the text
 * deflated (4 bytes; 0 for a text under {@value #DEFLATED_FROM} bytes) and the text deflated (raw deflate, ended
 * by a sync flush, so it can be spliced into any gzip answer: {@link GzipAnswer}), then the Chunks JSON array.
 * An answer copies the bytes as they are. A store written before the deflated text has no mark: the text's
 * length comes first, and a gzip answer deflates that text when it is asked for.
 */
public final class FinishedResult {
    /** The first int of the layout with the deflated text (a text length is never negative). */
    static final int DEFLATED_LAYOUT = -2;
    /** Texts from this long on are kept deflated too: deflating them at every gzip'd answer was its cost. */
    static final int DEFLATED_FROM = 8 * 1024;

    private final byte[] stored;
    private final int textAt;
    private final int textLength;
    private final int textCrc;
    private final int deflatedAt;
    private final int deflatedLength;
    private final int chunksAt;

    private FinishedResult(byte[] stored) {
        this.stored = stored;
        ByteBuffer in = ByteBuffer.wrap(stored);
        if (in.getInt(0) == DEFLATED_LAYOUT) {
            textLength = in.getInt(4);
            textAt = 8;
            textCrc = in.getInt(textAt + textLength);
            deflatedLength = in.getInt(textAt + textLength + 4);
            deflatedAt = textAt + textLength + 8;
            chunksAt = deflatedAt + deflatedLength;
        } else {
            textLength = in.getInt(0);
            textAt = 4;
            textCrc = 0;
            deflatedLength = 0;
            deflatedAt = 0;
            chunksAt = textAt + textLength;
        }
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
            byte[] deflated = text.length >= DEFLATED_FROM ? GzipAnswer.deflated(text, 0, text.length) : new byte[0];
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(text);
            return ByteBuffer.allocate(16 + text.length + deflated.length + chunkBytes.length).putInt(DEFLATED_LAYOUT)
                    .putInt(text.length).put(text).putInt((int) crc.getValue()).putInt(deflated.length).put(deflated)
                    .put(chunkBytes).array();
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
                    gen.writeRawUTF8String(stored, textAt, textLength);
                } else { // a generator of chars (toString): the same text, decoded
                    gen.writeRawValue("\"" + new String(stored, textAt, textLength, StandardCharsets.UTF_8) + "\"");
                }
            }

            @Override
            public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer) throws IOException {
                serialize(gen, serializers);
            }
        });
    }

    /** The AiResult's escaped text as a part of an answer, with its copy deflated when it was stored, if it was. */
    GzipAnswer.Part textPart() {
        return new GzipAnswer.Part(stored, textAt, textLength, deflatedAt, deflatedLength, textCrc);
    }

    /** The Chunks array as a part of an answer. */
    GzipAnswer.Part chunksPart() {
        return GzipAnswer.Part.plain(stored, chunksAt, stored.length - chunksAt);
    }

    /** The Chunks array as an answer's value. */
    RawValue chunksValue() {
        return new RawValue(new RawJson(java.util.Arrays.copyOfRange(stored, chunksAt, stored.length)));
    }

    /** The AiResult as the text it stands for (what a client reads from the answer). */
    String aiResult() {
        try {
            return Json.MAPPER.readValue("\"" + new String(stored, textAt, textLength, StandardCharsets.UTF_8) + "\"", String.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
