package io.flinkasr.operators;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.media.AudioDecoder;
import io.flinkasr.media.Loudness;
import io.flinkasr.media.MediaException;
import io.flinkasr.media.StagedWindows;
import io.flinkasr.recognition.RecognizerFactory;
import io.flinkasr.recognition.SpeechRecognizer;
import io.flinkasr.records.Chunk;
import io.flinkasr.records.ChunkResult;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recognises chunks, a slice of audio at a time, taking turns between jobs. Keyed by the chunk's route,
 * which the chunker assigns round robin, so the chunks of one job spread evenly over every subtask and a
 * long file is decoded in parallel. Times come back absolute in the source media.
 *
 * <p>A chunk that arrives only joins this subtask's queue (keyed state: a few dozen bytes per chunk, its
 * audio stays in the media file). Each turn, a processing-time timer, picks a chunk and feeds about
 * {@link #SLICE_SECONDS} of its audio to a recognizer. So the task's thread is free between turns: a
 * checkpoint barrier waits for one slice, never for a whole chunk, and a new job's chunk is noticed at
 * once. The turn goes to the chunk of the job with the fewest chunks queued here (a short clip beside an
 * hour-long file overtakes it, on a second recognizer, instead of queueing behind its chunks); every
 * {@link #OLDEST_EVERY}th turn goes to the chunk that has waited longest, so a long job never starves.
 */
public class RecognizeChunk extends KeyedProcessFunction<Integer, Chunk, ChunkResult> {
    private static final Logger LOG = LoggerFactory.getLogger(RecognizeChunk.class);

    /** Audio a turn feeds: about a third of a second of work for Vosk's small model on one core. */
    static final double SLICE_SECONDS = 2.0;
    /** Recognizers per subtask: one for the chunk under way, one for a more urgent chunk that overtakes it. */
    static final int LANES = 2;
    /** One turn in this many goes to the chunk that has waited longest. */
    static final int OLDEST_EVERY = 4;
    /** Chunks whose recognition times the chunkRecognitionMillis histogram summarises. */
    private static final int CHUNK_TIMES_KEPT = 500;

    private final RecognizerFactory recognizers;
    private final String attemptsDir;
    private final int maxAttempts;
    private final String ffmpeg;
    private final java.time.Duration decodeTimeout;

    /** The chunks of this key waiting or under way, by chunk key. */
    private transient MapState<String, Chunk> queue;
    /** How many chunks this key has received: each chunk's arrival number. */
    private transient ValueState<Long> arrivals;
    /** When the next turn is due; none while the queue is empty. */
    private transient ValueState<Long> turnAt;

    private transient SpeechRecognizer[] lanes;
    /** Seconds of audio each lane's recognizer has been given: a new chunk goes to the free lane with the least. */
    private transient double[] laneAudio;
    /** Chunks being decoded, by chunk key: lost on a restart, when they start over from the queue. */
    private transient Map<String, Underway> underway;
    /**
     * The chunk whose slice is being fed to its recogniser, null between slices: still set in {@link #close()}
     * when the feeding threw past the operator (an Error), and then that attempt counts against the chunk.
     */
    private transient String feeding;
    private transient AudioDecoder decoder;
    private transient ChunkAttempts attempts;
    private transient long turns;
    private transient int queued;
    private transient Counter chunks;
    private transient Counter audioMillis;
    private transient Counter recognitionMillis;
    private transient Histogram chunkMillis;

    /** A chunk on a recognizer: its decoding so far, when it began (epoch ms) and the recognizer's time on it. */
    private static final class Underway {
        private final int lane;
        private final SpeechRecognizer.Decoding decoding;
        private final long startedAt;
        private long nanos;

        Underway(int lane, SpeechRecognizer.Decoding decoding, long startedAt) {
            this.lane = lane;
            this.decoding = decoding;
            this.startedAt = startedAt;
        }

        int lane() {
            return lane;
        }

        SpeechRecognizer.Decoding decoding() {
            return decoding;
        }

        long startedAt() {
            return startedAt;
        }
    }

    public RecognizeChunk(RecognizerFactory recognizers, Configuration config) {
        this.recognizers = recognizers;
        this.attemptsDir = config.getOptional(AsrOptions.ATTEMPTS_DIR).orElse(null);
        this.maxAttempts = config.get(AsrOptions.MAX_ATTEMPTS);
        this.ffmpeg = config.get(AsrOptions.FFMPEG);
        this.decodeTimeout = config.get(AsrOptions.DECODE_TIMEOUT);
    }

    @Override
    public void open(OpenContext openContext) {
        queue = getRuntimeContext().getMapState(new MapStateDescriptor<>("queue", Types.STRING, Types.POJO(Chunk.class)));
        arrivals = getRuntimeContext().getState(new ValueStateDescriptor<>("arrivals", Types.LONG));
        turnAt = getRuntimeContext().getState(new ValueStateDescriptor<>("turn-at", Types.LONG));
        lanes = new SpeechRecognizer[LANES];
        laneAudio = new double[LANES];
        underway = new HashMap<>();
        decoder = new AudioDecoder(ffmpeg, decodeTimeout);
        attempts = attemptsDir == null ? null : new ChunkAttempts(attemptsDir, maxAttempts);
        chunks = getRuntimeContext().getMetricGroup().counter("chunksRecognized");
        audioMillis = getRuntimeContext().getMetricGroup().counter("audioMillisRecognized");
        // time in the recognizer: its rate over audioMillisRecognized's is the recognizers' real-time factor
        recognitionMillis = getRuntimeContext().getMetricGroup().counter("recognitionMillis");
        chunkMillis = getRuntimeContext().getMetricGroup().histogram("chunkRecognitionMillis",
                new DescriptiveStatisticsHistogram(CHUNK_TIMES_KEPT));
        getRuntimeContext().getMetricGroup().gauge("chunksQueued", () -> queued);
    }

    @Override
    public void processElement(Chunk chunk, Context ctx, Collector<ChunkResult> out) throws Exception {
        if (queue.contains(chunk.key())) {
            return; // the same chunk again (a replay)
        }
        long arrival = arrivals.value() == null ? 0 : arrivals.value();
        chunk.arrival = arrival;
        arrivals.update(arrival + 1);
        queue.put(chunk.key(), chunk);
        queued++;
        if (turnAt.value() == null) {
            nextTurn(ctx, 0);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ChunkResult> out) throws Exception {
        turnAt.clear();
        List<Chunk> waiting = queued();
        queued = waiting.size();
        if (waiting.isEmpty()) {
            return;
        }
        Chunk next = pick(waiting, ++turns % OLDEST_EVERY == 0);
        Underway run = underway.get(next.key());
        if (run == null) {
            int lane = freeLane();
            if (lane < 0) {
                // every recognizer holds a chunk under way: go on with the most urgent of them
                next = pick(waiting.stream().filter(c -> underway.containsKey(c.key())).toList(), false);
                if (next == null) {
                    nextTurn(ctx, 5); // the recognizers are busy with chunks of other keys on this subtask
                    return;
                }
                run = underway.get(next.key());
            } else {
                run = begin(next, lane, out);
            }
        }
        if (run != null) {
            turn(next, run, out);
        }
        if (!queue.isEmpty()) {
            nextTurn(ctx, 0);
        }
    }

    /** Starts a chunk on a lane; null when it was answered without a recognizer (silence, no media, given up). */
    private Underway begin(Chunk chunk, int lane, Collector<ChunkResult> out) throws Exception {
        long startedAt = System.currentTimeMillis();
        if (attempts != null && !attempts.begin(chunk.key())) {
            LOG.warn("Chunk {} crashed its worker {} times; failing its job", chunk, maxAttempts);
            ChunkResult result = result(chunk);
            result.errorCode = "Recognition.Crashed";
            result.errorMessage = "Recognising the media at " + Math.round(chunk.offset) + " s stopped the worker "
                    + maxAttempts + " times.";
            finish(chunk, result, out);
            return null;
        }
        byte[] pcm;
        try {
            pcm = audio(chunk);
        } catch (MediaException e) {
            LOG.warn("Could not decode chunk {} of {}: {}", chunk, chunk.media, e.getMessage());
            ChunkResult result = result(chunk);
            result.errorCode = e.code();
            result.errorMessage = e.getMessage();
            finish(chunk, result, out);
            return null;
        }
        if (Loudness.silent(pcm)) {
            // nothing to hear: skip the recogniser (long silences in media cost nothing)
            ChunkResult result = result(chunk);
            result.segments = new Segment[0];
            finish(chunk, result, out);
            return null;
        }
        if (lanes[lane] == null) {
            lanes[lane] = recognizers.create();
        }
        laneAudio[lane] += chunk.seconds;
        Underway run = new Underway(lane, lanes[lane].start(pcm), startedAt);
        underway.put(chunk.key(), run);
        return run;
    }

    /** Feeds one slice of a chunk's audio; answers the chunk once all of it is in. */
    private void turn(Chunk chunk, Underway run, Collector<ChunkResult> out) throws Exception {
        ChunkResult result = result(chunk);
        long started = System.nanoTime();
        result.startedAt = run.startedAt();
        try {
            feeding = chunk.key();
            boolean whole = run.decoding().feed((int) (SLICE_SECONDS * AudioDecoder.BYTES_PER_SECOND));
            feeding = null;
            if (!whole) {
                spent(run, started);
                return;
            }
            List<Segment> segments = run.decoding().segments();
            spent(run, started);
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
            chunkMillis.update(run.nanos / 1_000_000);
        } catch (RuntimeException e) {
            feeding = null;
            LOG.warn("Recognition failed for chunk {}", chunk, e);
            run.decoding().close();
            result.errorCode = "Recognition.Failed";
            result.errorMessage = "Speech recognition failed on the media at " + Math.round(chunk.offset) + " s.";
        }
        underway.remove(chunk.key());
        finish(chunk, result, out);
    }

    /** Adds the time since {@code started} to the chunk's and to recognitionMillis. */
    private void spent(Underway run, long started) {
        long now = System.nanoTime();
        long before = run.nanos / 1_000_000;
        run.nanos += now - started;
        recognitionMillis.inc(run.nanos / 1_000_000 - before);
    }

    private void finish(Chunk chunk, ChunkResult result, Collector<ChunkResult> out) throws Exception {
        StagedWindows.delete(chunk.audio);
        if (attempts != null) {
            attempts.done(chunk.key());
        }
        queue.remove(chunk.key());
        queued = Math.max(0, queued - 1);
        out.collect(result);
    }

    /**
     * The chunk's audio: as the chunker left it in the staging folder, or else its window of the media decoded
     * again; exactly as many samples as the chunker cut.
     */
    private byte[] audio(Chunk chunk) throws MediaException {
        int bytes = AudioDecoder.bytesOf(chunk.seconds);
        byte[] staged = StagedWindows.read(chunk.audio, bytes);
        if (staged != null) {
            return staged;
        }
        Path media = Path.of(chunk.media);
        if (!Files.isReadable(media)) {
            throw new MediaException("InputFile.NotFound", "The media file went away while its job was recognised.");
        }
        byte[] pcm = decoder.decode(media, chunk.offset, chunk.seconds);
        return pcm.length > bytes ? Arrays.copyOf(pcm, bytes) : pcm;
    }

    private ChunkResult result(Chunk chunk) {
        ChunkResult result = new ChunkResult();
        result.jobId = chunk.jobId;
        result.seq = chunk.seq;
        result.offset = chunk.offset;
        result.length = chunk.seconds;
        result.overlap = chunk.overlap;
        result.lead = chunk.lead;
        result.subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        result.endedAt = System.currentTimeMillis(); // answered now; a chunk that needed no recognizer began now too
        result.startedAt = result.endedAt;
        return result;
    }

    /**
     * The chunk whose turn it is: the one that has waited longest, or else the first of the job with the
     * fewest chunks waiting here (ties: the one that has waited longest).
     */
    static Chunk pick(List<Chunk> waiting, boolean oldest) {
        Map<String, Integer> perJob = new HashMap<>();
        if (!oldest) {
            for (Chunk c : waiting) {
                perJob.merge(c.jobId, 1, Integer::sum);
            }
        }
        Chunk best = null;
        for (Chunk c : waiting) {
            if (best == null) {
                best = c;
                continue;
            }
            int byJob = oldest ? 0 : Integer.compare(perJob.get(c.jobId), perJob.get(best.jobId));
            if (byJob < 0 || (byJob == 0 && c.arrival < best.arrival)) {
                best = c;
            }
        }
        return best;
    }

    private List<Chunk> queued() throws Exception {
        List<Chunk> list = new ArrayList<>();
        queue.values().forEach(list::add);
        return list;
    }

    /**
     * A lane with no chunk under way, the one whose recognizer has heard the least audio: so both recognizers warm
     * up on ordinary chunks (a long job alone alternates between them), and a short job that overtakes later does
     * not meet a recognizer whose graph cache is still cold (the first overtaking clips of a fresh stack took 2-9
     * times as long to recognise); -1 when both are busy.
     */
    private int freeLane() {
        boolean[] busy = new boolean[LANES];
        underway.values().forEach(u -> busy[u.lane()] = true);
        int best = -1;
        for (int lane = 0; lane < LANES; lane++) {
            if (!busy[lane] && (best < 0 || laneAudio[lane] < laneAudio[best])) {
                best = lane;
            }
        }
        return best;
    }

    /**
     * Asks for a turn a millisecond or more from now: a timer due at the current time could fire within the
     * same round of timers, before any input or barrier gets a look in.
     */
    private void nextTurn(Context ctx, long delayMillis) throws Exception {
        long at = ctx.timerService().currentProcessingTime() + 1 + delayMillis;
        turnAt.update(at);
        ctx.timerService().registerProcessingTimeTimer(at);
    }

    @Override
    public void close() {
        if (underway != null) {
            underway.values().forEach(u -> u.decoding().close());
            if (attempts != null) {
                // The worker outlived these chunks: the task is cancelled (a restart for a failure elsewhere, a
                // rescale by the adaptive scheduler, a JobManager failover), so their attempts do not count
                // as crashes; only a chunk whose recognition threw past us keeps its attempt.
                for (String chunk : underway.keySet()) {
                    if (!chunk.equals(feeding)) {
                        try {
                            attempts.cancelled(chunk);
                        } catch (IOException e) {
                            LOG.warn("Could not withdraw the attempt at chunk {}", chunk, e);
                        }
                    }
                }
            }
        }
        if (lanes != null) {
            for (SpeechRecognizer r : lanes) {
                if (r != null) {
                    r.close();
                }
            }
        }
    }
}
