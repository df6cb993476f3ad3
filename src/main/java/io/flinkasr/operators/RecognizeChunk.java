package io.flinkasr.operators;

import io.flinkasr.media.AudioDecoder;
import io.flinkasr.media.Loudness;
import io.flinkasr.recognition.RecognizerFactory;
import io.flinkasr.recognition.SpeechRecognizer;
import io.flinkasr.records.Chunk;
import io.flinkasr.records.ChunkResult;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recognises one chunk. Keyed by the chunk's route, which the chunker assigns round robin, so the chunks
 * of one job spread evenly over every subtask and a long file is decoded in parallel. Times come back
 * absolute in the source media.
 */
public class RecognizeChunk extends KeyedProcessFunction<Integer, Chunk, ChunkResult> {
    private static final Logger LOG = LoggerFactory.getLogger(RecognizeChunk.class);

    private final RecognizerFactory recognizers;
    private final String attemptsDir;
    private final int maxAttempts;

    private transient SpeechRecognizer recognizer;
    private transient ChunkAttempts attempts;
    private transient Counter chunks;
    private transient Counter audioMillis;

    public RecognizeChunk(RecognizerFactory recognizers) {
        this(recognizers, null, 0);
    }

    /** @param attemptsDir shared storage where attempts are counted (null: not counted) */
    public RecognizeChunk(RecognizerFactory recognizers, String attemptsDir, int maxAttempts) {
        this.recognizers = recognizers;
        this.attemptsDir = attemptsDir;
        this.maxAttempts = maxAttempts;
    }

    @Override
    public void open(OpenContext openContext) {
        recognizer = recognizers.create();
        attempts = attemptsDir == null ? null : new ChunkAttempts(attemptsDir, maxAttempts);
        chunks = getRuntimeContext().getMetricGroup().counter("chunksRecognized");
        audioMillis = getRuntimeContext().getMetricGroup().counter("audioMillisRecognized");
    }

    @Override
    public void processElement(Chunk chunk, Context ctx, Collector<ChunkResult> out) throws Exception {
        ChunkResult result = new ChunkResult();
        result.jobId = chunk.jobId;
        result.seq = chunk.seq;
        result.offset = chunk.offset;
        result.length = chunk.pcm.length / (double) AudioDecoder.BYTES_PER_SECOND;
        result.overlap = chunk.overlap;
        result.lead = chunk.lead;
        result.subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        if (attempts != null && !attempts.begin(chunk.key())) {
            LOG.warn("Chunk {} crashed its worker {} times; failing its job", chunk, maxAttempts);
            result.errorCode = "Recognition.Crashed";
            result.errorMessage = "Recognising the media at " + Math.round(chunk.offset) + " s stopped the worker "
                    + maxAttempts + " times.";
            attempts.done(chunk.key());
            out.collect(result);
            return;
        }
        try {
            // nothing to hear: skip the recogniser (long silences in media cost nothing)
            List<Segment> segments = Loudness.silent(chunk.pcm) ? List.of() : recognizer.recognize(chunk.pcm);
            for (Segment s : segments) {
                s.from += chunk.offset;
                s.to += chunk.offset;
                if (s.words != null) {
                    for (Word w : s.words) {
                        w.start += chunk.offset;
                        w.end += chunk.offset;
                    }
                }
            }
            result.segments = segments.toArray(new Segment[0]);
            chunks.inc();
            audioMillis.inc(Math.round(result.length * 1000));
        } catch (RuntimeException e) {
            LOG.warn("Recognition failed for chunk {}", chunk, e);
            result.errorCode = "Recognition.Failed";
            result.errorMessage = "Speech recognition failed on the media at " + Math.round(chunk.offset) + " s.";
        }
        if (attempts != null) {
            attempts.done(chunk.key());
        }
        out.collect(result);
    }

    @Override
    public void close() {
        if (recognizer != null) {
            recognizer.close();
        }
    }
}
