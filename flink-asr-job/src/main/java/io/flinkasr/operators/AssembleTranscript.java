package io.flinkasr.operators;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.media.StagedWindows;
import io.flinkasr.records.ChunkInfo;
import io.flinkasr.records.ChunkResult;
import io.flinkasr.records.JobEvent;
import io.flinkasr.records.JobProgress;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Segment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Collects the chunk results of each job (keyed by JobId), in whatever order they arrive, and emits its
 * states: Executing with progress as chunks come in, then Finished with the ordered segments once the
 * chunker has said how many chunks there are and all of them are in, or Failed.
 *
 * <p>A job that makes no progress for {@link AsrOptions#STALL_TIMEOUT} ends Failed (Job.Timeout), so no
 * job stays Executing forever. After a job ends, only a marker is kept (for
 * {@link AsrOptions#ENDED_RETENTION}) so that chunks still in flight are dropped; then its state is gone.
 */
public class AssembleTranscript extends KeyedCoProcessFunction<String, JobEvent, ChunkResult, JobStatus> {

    private final long stallMillis;
    private final long retentionMillis;
    private final String stagingDir;
    private final String triggerUrl;

    private transient ValueState<JobProgress> progress;
    private transient MapState<Integer, ChunkResult> results;
    private transient StagedWindows staged;
    private transient JobOutcomes outcomes;
    /** Asks for a checkpoint once a final state is written; null without asr.checkpoint.trigger-url. */
    private transient CheckpointNudge nudge;

    public AssembleTranscript(Configuration config) {
        this.stallMillis = config.get(AsrOptions.STALL_TIMEOUT).toMillis();
        this.retentionMillis = config.get(AsrOptions.ENDED_RETENTION).toMillis();
        this.stagingDir = config.get(AsrOptions.STAGING_DIR);
        this.triggerUrl = config.getOptional(AsrOptions.CHECKPOINT_TRIGGER_URL).orElse(null);
    }

    @Override
    public void open(OpenContext openContext) {
        progress = getRuntimeContext().getState(new ValueStateDescriptor<>("progress", JobProgress.class));
        results = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("results", Types.INT, Types.POJO(ChunkResult.class)));
        staged = new StagedWindows(Path.of(stagingDir));
        outcomes = new JobOutcomes(getRuntimeContext().getMetricGroup());
        if (triggerUrl != null && !triggerUrl.isBlank()) {
            nudge = new CheckpointNudge(triggerUrl, getRuntimeContext().getJobInfo().getJobId().toString());
        }
    }

    @Override
    public void close() throws Exception {
        if (nudge != null) {
            nudge.close();
        }
        super.close();
    }

    @Override
    public void processElement1(JobEvent event, Context ctx, Collector<JobStatus> out) throws Exception {
        JobProgress job = current();
        if (job.ended) {
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        switch (event.type) {
            case STARTED:
                job.request = event.request;
                job.mediaSeconds = event.mediaSeconds;
                out.collect(executing(job, now));
                break;
            case CHUNKED:
                job.totalChunks = event.totalChunks;
                break;
            case FAILED:
                if (job.request == null) {
                    job.request = event.request;
                }
                end(job, failed(job, event.errorCode, event.errorMessage, now), ctx, out);
                return;
        }
        completeOrWait(job, ctx, out);
    }

    @Override
    public void processElement2(ChunkResult result, Context ctx, Collector<JobStatus> out) throws Exception {
        JobProgress job = current();
        if (job.ended) {
            return;
        }
        results.put(result.seq, result);
        if (job.request != null && !result.failed() && !isComplete(job)) {
            out.collect(executing(job, ctx.timerService().currentProcessingTime()));
        }
        completeOrWait(job, ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<JobStatus> out) throws Exception {
        JobProgress job = progress.value();
        if (job == null || timestamp != job.timerAt) {
            return;
        }
        if (job.ended) {
            progress.clear();
            results.clear();
        } else if (job.request != null) {
            end(job, failed(job, "Job.Timeout", "The job made no progress for " + stallMillis / 1000 + " s.", timestamp), ctx, out);
        } else {
            // chunk results of a job whose request never arrived: nothing to report to anyone
            progress.clear();
            results.clear();
        }
    }

    private JobProgress current() throws Exception {
        JobProgress job = progress.value();
        return job != null ? job : new JobProgress();
    }

    private boolean isComplete(JobProgress job) throws Exception {
        if (job.totalChunks < 0) {
            return false;
        }
        int count = 0;
        for (Integer ignored : results.keys()) {
            count++;
        }
        return count >= job.totalChunks;
    }

    /** Ends the job if a chunk failed or all chunks are in; otherwise waits, with a stall timer. */
    private void completeOrWait(JobProgress job, Context ctx, Collector<JobStatus> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (job.request != null) {
            for (ChunkResult r : results.values()) {
                if (r.failed()) {
                    end(job, failed(job, r.errorCode, r.errorMessage, now), ctx, out);
                    return;
                }
            }
            if (isComplete(job)) {
                end(job, finished(job, now), ctx, out);
                return;
            }
        }
        rearm(job, ctx, now + stallMillis);
        progress.update(job);
    }

    private void end(JobProgress job, JobStatus last, Context ctx, Collector<JobStatus> out) throws Exception {
        out.collect(last);
        if (nudge != null) {
            nudge.stateWritten(); // after the sink has the state: the checkpoint it asks for holds it
        }
        outcomes.ended(last);
        // the recognisers are done with what the job staged (chunks still queued decode the media again, unread)
        if (job.request != null) {
            staged.release(job.request);
        }
        results.clear();
        JobProgress marker = new JobProgress();
        marker.ended = true;
        marker.timerAt = job.timerAt;
        rearm(marker, ctx, ctx.timerService().currentProcessingTime() + retentionMillis);
        progress.update(marker);
    }

    private static void rearm(JobProgress job, Context ctx, long at) {
        if (job.timerAt != 0) {
            ctx.timerService().deleteProcessingTimeTimer(job.timerAt);
        }
        job.timerAt = at;
        ctx.timerService().registerProcessingTimeTimer(at);
    }

    private JobStatus executing(JobProgress job, long now) throws Exception {
        JobStatus status = JobStatus.of(job.request, JobState.Executing, now);
        status.mediaSeconds = job.mediaSeconds;
        status.chunksTotal = job.totalChunks;
        List<ChunkInfo> done = new ArrayList<>();
        for (ChunkResult r : results.values()) {
            if (!r.failed()) {
                status.chunksDone++;
                status.secondsDone += r.length;
                done.add(ChunkInfo.of(r));
            }
        }
        // the chunks recognised so far (a few numbers each), so the dashboard draws the timeline as it grows
        done.sort(Comparator.comparingInt(c -> c.seq));
        status.chunks = done.toArray(new ChunkInfo[0]);
        return status;
    }

    private JobStatus failed(JobProgress job, String code, String message, long now) {
        JobStatus status = JobStatus.of(job.request, JobState.Failed, now);
        status.mediaSeconds = job.mediaSeconds;
        status.errorCode = code;
        status.errorMessage = message;
        return status;
    }

    private JobStatus finished(JobProgress job, long now) throws Exception {
        List<ChunkResult> ordered = new ArrayList<>();
        results.values().forEach(ordered::add);
        ordered.sort(Comparator.comparingInt(r -> r.seq));
        List<Segment> segments = new ArrayList<>();
        List<ChunkInfo> chunks = new ArrayList<>();
        for (ChunkResult r : ordered) {
            chunks.add(ChunkInfo.of(r));
        }
        for (Segment s : Seams.join(ordered)) {
            segments.addAll(Transcript.finish(s, job.request));
        }
        JobStatus status = JobStatus.of(job.request, JobState.Finished, now);
        status.mediaSeconds = job.mediaSeconds;
        status.segments = segments.toArray(new Segment[0]);
        status.chunks = chunks.toArray(new ChunkInfo[0]);
        status.chunksDone = ordered.size();
        status.chunksTotal = job.totalChunks;
        return status;
    }
}
