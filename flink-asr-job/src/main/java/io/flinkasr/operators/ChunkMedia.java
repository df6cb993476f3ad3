package io.flinkasr.operators;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.media.AudioDecoder;
import io.flinkasr.media.ChunkPlanner;
import io.flinkasr.media.DecodedAhead;
import io.flinkasr.media.MediaException;
import io.flinkasr.media.MediaRoots;
import io.flinkasr.media.remote.RemoteMedia;
import io.flinkasr.media.remote.RemoteMediaSettings;
import io.flinkasr.media.StagedWindows;
import java.nio.file.Files;
import io.flinkasr.records.Chunk;
import io.flinkasr.records.ChunkingPosition;
import io.flinkasr.records.JobEvent;
import io.flinkasr.records.JobRequest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts each job's media into chunks at pauses, one window per timer callback.
 *
 * <p>A request only stores the job's position in keyed state and asks for a timer. Each timer takes
 * the next window (sliced from PCM one ffmpeg run decoded ahead for the job, {@link DecodedAhead}, or else
 * decoded with ffmpeg seeking to the stored offset), emits one chunk and asks for the next timer. A job's
 * next span is decoded ahead on a thread of its own, at a low CPU priority; a window still waiting for it
 * asks again {@value #PCM_WAIT_MILLIS} ms later instead of blocking. So a callback decodes at most a job's
 * first window, checkpoints pass between windows, a restart resumes
 * at the stored offset, and the windows of all active jobs take turns. The first window's ffmpeg also
 * reads the media's header (its duration, whether it has audio at all): a short clip's media work is one
 * process start.
 *
 * <p>A long job's chunks are as long as it allows while it still gives every recognition subtask two of them, up
 * to {@code asr.chunk.longest-seconds} ({@link ChunkPlanner#spreading}): each chunk after the first hears a few seconds
 * of context again, so fewer chunks mean less audio recognised twice and fewer seams.
 *
 * <p>The job's lifecycle goes out on the {@link #JOB_EVENTS} side output: STARTED, then CHUNKED with the
 * number of chunks, or FAILED with an ICE ErrorCode for any problem with the input.
 */
public class ChunkMedia extends KeyedProcessFunction<String, JobRequest, Chunk> {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkMedia.class);

    public static final OutputTag<JobEvent> JOB_EVENTS = new OutputTag<>("job-events") {};
    /** Media one ffmpeg run decodes for a job's next windows (at most {@link #AHEAD_JOBS} jobs' worth is held). */
    static final double AHEAD_SECONDS = 120;
    /** Jobs whose PCM is decoded ahead at a time: 4 x 120 s is 15 MB of heap. */
    static final int AHEAD_JOBS = 4;
    /** How long a window that waits for PCM decoded in the background waits before it looks again. */
    static final long PCM_WAIT_MILLIS = 20;

    private final Configuration config;

    private transient ValueState<ChunkingPosition> position;
    private transient MediaRoots roots;
    private transient AudioDecoder decoder;
    private transient DecodedAhead ahead;
    private transient ChunkPlanner planner;
    private transient RecognitionRoutes routes;
    private transient RemoteMedia remote;
    private transient StagedWindows windows;
    private transient Path staging;
    private transient long stepBytes;
    private transient double maxSeconds;
    /** The longest a long job's chunks may be ({@link ChunkPlanner#spreading}). */
    private transient double longestSeconds;
    /** Recognition subtasks (as many as this operator's): a long job's chunks spread over all of them. */
    private transient int recognizers;
    private transient double wholeSeconds;
    private transient double overlapSeconds;
    private transient double contextSeconds;
    /** The last window timer asked for on this subtask: each gets a millisecond of its own. */
    private transient long lastTimerAt;
    /** Decodes jobs' next spans of PCM off the task thread ({@link DecodedAhead}). */
    private transient ExecutorService decoding;
    /** The window of the job whose timer runs waits for PCM being decoded: ask again a little later. */
    private transient boolean waitingForPcm;

    public ChunkMedia(Configuration config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        position = getRuntimeContext().getState(new ValueStateDescriptor<>("position", ChunkingPosition.class));
        roots = new MediaRoots(config.getOptional(AsrOptions.MEDIA_ROOTS).orElse(List.of()));
        decoder = new AudioDecoder(config.get(AsrOptions.FFMPEG), config.get(AsrOptions.DECODE_TIMEOUT));
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        decoding = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "decode-ahead (chunker " + subtask + ")");
            t.setDaemon(true);
            return t;
        });
        ahead = new DecodedAhead(decoder, AHEAD_SECONDS, AHEAD_JOBS, decoding);
        planner = new ChunkPlanner(config.get(AsrOptions.CHUNK_MIN_SECONDS), config.get(AsrOptions.CHUNK_MAX_SECONDS));
        RemoteMediaSettings remoteSettings = RemoteMediaSettings.from(config);
        remote = new RemoteMedia(remoteSettings);
        stepBytes = remoteSettings.stepBytes();
        maxSeconds = config.get(AsrOptions.MAX_MEDIA_DURATION).toMillis() / 1000.0;
        longestSeconds = Math.max(planner.maxSeconds(), config.get(AsrOptions.CHUNK_LONGEST_SECONDS));
        recognizers = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        wholeSeconds = config.getOptional(AsrOptions.CHUNK_WHOLE_SECONDS).orElse(planner.minSeconds() + planner.maxSeconds());
        staging = Path.of(config.get(AsrOptions.STAGING_DIR));
        windows = new StagedWindows(staging);
        overlapSeconds = Math.min(config.get(AsrOptions.CHUNK_OVERLAP_SECONDS), planner.minSeconds() / 2);
        contextSeconds = Math.max(0, config.get(AsrOptions.CHUNK_CONTEXT_SECONDS));
        routes = new RecognitionRoutes(
                getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
    }

    @Override
    public void processElement(JobRequest request, Context ctx, Collector<Chunk> out) throws Exception {
        if (position.value() != null) {
            return; // the same request again (a replay): the job is already being cut
        }
        position.update(new ChunkingPosition(request));
        nextWindow(ctx, 0);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Chunk> out) throws Exception {
        ChunkingPosition job = position.value();
        if (job == null) {
            return;
        }
        waitingForPcm = false;
        try {
            Path file = localFile(job);
            if (file == null) {
                position.update(job); // a remote file is being fetched, one bounded step per timer
            } else if (!job.probed) {
                start(job, file, ctx, out);
            } else {
                cutNext(job, file, ctx, out);
            }
        } catch (MediaException e) {
            fail(job, ctx, e.code(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.warn("Job {} failed while its media was cut", job.request.jobId, e);
            fail(job, ctx, "InternalError", "The media could not be processed.");
            return;
        }
        if (position.value() != null) {
            nextWindow(ctx, waitingForPcm ? PCM_WAIT_MILLIS : 0);
        }
    }

    /**
     * Asks for the job's next window callback at a millisecond no other job's has: Flink fires all timers due by
     * one time in one go, so with the jobs' timers on the same millisecond a checkpoint barrier (and new input)
     * waited for a window of every active job: 30 jobs submitted at once made checkpoints of 5-19 s. Apart, each
     * callback is a turn of its own, with the barrier and input getting theirs in between. A window that waits
     * for PCM decoded in the background looks again {@code delayMillis} from now, not moving other jobs' timers back.
     */
    private void nextWindow(Context ctx, long delayMillis) {
        long earliest = ctx.timerService().currentProcessingTime() + 1 + delayMillis;
        if (delayMillis > 0) {
            ctx.timerService().registerProcessingTimeTimer(earliest);
            return;
        }
        long at = Math.max(earliest, lastTimerAt + 1);
        lastTimerAt = at;
        ctx.timerService().registerProcessingTimeTimer(at);
    }

    /**
     * The local file to decode: a file under the media roots, or the staged copy of a remote one. While a
     * remote file is not yet whole, fetches one bounded step of it and returns null. A staged copy that is
     * gone (the job was restored on another machine) is fetched again.
     */
    private Path localFile(ChunkingPosition job) throws Exception {
        String source = job.request.source();
        if (!RemoteMedia.isRemote(source)) {
            return roots.resolve(source);
        }
        Path file = RemoteMedia.stagedCopy(staging, job.request.jobId);
        long have = Files.exists(file) ? Files.size(file) : 0;
        if (job.fetched && have == job.fetchedBytes) {
            return file;
        }
        RemoteMedia.FetchStep step = remote.fetch(source, file, have, stepBytes);
        job.fetchedBytes = step.bytes();
        job.fetched = step.complete();
        return null;
    }

    /**
     * Opens the media with its first window (as long as the first cut can want: the whole media up to
     * whole-seconds, else one window; and the next window's worth, kept for it), checks its duration, announces
     * the job and cuts the first chunk.
     */
    private void start(ChunkingPosition job, Path file, OnTimerContext ctx, Collector<Chunk> out) throws Exception {
        // as much as the first cut can want, and the second window too: the second recognizer starts without
        // waiting for another ffmpeg run (a few more seconds decoded cost about 1 ms of CPU each)
        double firstSeconds = Math.max(wholeSeconds, longestSeconds) + longestSeconds + contextSeconds;
        AudioDecoder.Opened opened = decoder.open(file, job.position, firstSeconds);
        double mediaEnd = opened.durationSeconds();
        if (mediaEnd > 0) {
            if (job.position >= mediaEnd) {
                throw new MediaException(
                        "InvalidParameter.StartTime", "The StartTime lies beyond the end of the media.");
            }
            job.end = job.end < 0 ? mediaEnd : Math.min(job.end, mediaEnd);
        }
        if (job.end > 0 && job.end - job.position > maxSeconds) {
            throw new MediaException("Media.TooLong", "The media to recognise is longer than "
                    + Math.round(maxSeconds / 60) + " minutes, the most this service takes.");
        }
        job.probed = true;
        position.update(job);
        double seconds = job.end > 0 ? job.end - job.position : -1;
        ctx.output(JOB_EVENTS, JobEvent.started(job.request, seconds));
        ahead.seed(job.request.jobId, file, job.position, opened.pcm(), firstSeconds);
        cutNext(job, file, ctx, out);
    }

    /** Cuts the next chunk, from the PCM decoded ahead for the job where it covers the window. */
    private void cutNext(ChunkingPosition job, Path file, OnTimerContext ctx, Collector<Chunk> out) throws Exception {
        double jobSeconds = job.end > 0 ? job.end - Math.max(0, job.request.startTime) : -1;
        ChunkPlanner planner = this.planner.spreading(jobSeconds, recognizers, longestSeconds);
        double want = planner.maxSeconds();
        boolean lastWindow = false;
        // short media is one chunk, whole: no seam, and what Vosk gives for the whole file
        boolean whole = job.nextSeq == 0 && job.end > 0 && job.end - job.position <= wholeSeconds + 0.01;
        if (job.end > 0 && (whole || job.end - job.position <= want + 0.01)) {
            want = job.end - job.position;
            lastWindow = true;
        }
        // a few seconds before the chunk, heard first so the recogniser is warm when the chunk starts
        double lead = job.nextSeq == 0 ? 0 : Math.min(contextSeconds, job.position - Math.max(0, job.request.startTime));
        byte[] heard = ahead.window(job.request.jobId, file, job.position - lead, lead + want);
        if (heard == null) {
            waitingForPcm = true; // decoded in the background: this timer does nothing, the next one cuts
            return;
        }
        int leadBytes = Math.min(AudioDecoder.bytesOf(lead), heard.length);
        byte[] pcm = leadBytes == 0 ? heard : Arrays.copyOfRange(heard, leadBytes, heard.length);
        int wantBytes = AudioDecoder.bytesOf(want);
        boolean endOfMedia = lastWindow || pcm.length < wantBytes - 320;
        ChunkPlanner.Cut cut = planner.cut(pcm, endOfMedia);
        if (cut.bytes() > 0) {
            int seq = job.nextSeq++;
            double leadSeconds = leadBytes / (double) AudioDecoder.BYTES_PER_SECOND;
            double seconds = (leadBytes + cut.bytes()) / (double) AudioDecoder.BYTES_PER_SECOND;
            Chunk chunk = new Chunk(job.request.jobId, seq, file.toString(), job.position - leadSeconds, seconds,
                    routes.route(job.request.jobId, seq));
            chunk.lead = leadSeconds;
            Path audio = windows.write(job.request.jobId, seq, heard, leadBytes + cut.bytes());
            chunk.audio = audio == null ? null : audio.toString();
            chunk.overlap = job.overlapNext;
            out.collect(chunk);
            double advance = cut.bytes() / (double) AudioDecoder.BYTES_PER_SECOND;
            // no pause to cut in: start the next chunk a little earlier, so no word is lost in the cut
            job.overlapNext = endOfMedia || cut.inPause() ? 0 : overlapSeconds;
            job.position += advance - job.overlapNext;
        }
        if (endOfMedia) {
            if (job.nextSeq == 0) {
                throw new MediaException("Media.NoAudio", "The requested range of the media holds no audio.");
            }
            // a staged copy stays until the job ends: the recognisers read their windows from it
            ctx.output(JOB_EVENTS, JobEvent.chunked(job.request.jobId, job.nextSeq));
            ahead.release(job.request.jobId);
            position.clear();
        } else {
            position.update(job);
        }
    }

    /** Deletes the staged copy of a remote file, if any. */
    private void release(ChunkingPosition job) {
        windows.release(job.request);
    }

    @Override
    public void close() {
        if (decoding != null) {
            decoding.shutdownNow();
        }
        if (remote != null) {
            remote.close();
        }
    }

    private void fail(ChunkingPosition job, OnTimerContext ctx, String code, String message) {
        ctx.output(JOB_EVENTS, JobEvent.failed(job.request, code, message));
        ahead.release(job.request.jobId);
        release(job);
        position.clear();
    }
}
