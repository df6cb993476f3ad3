package io.flinkasr.pipeline;

import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One run of the pipeline on a MiniCluster, fed a fixed list of job requests ({@link JobRequestSource})
 * and writing every state it emits here ({@link CollectStates}). The source and the sink run in the
 * test's JVM and find their run by its id.
 *
 * <p>The source is bounded, but it ends only once every job it emitted has reached a final state: the
 * operators work on processing-time timers, which Flink drops when the input ends, so a source that ended
 * after its last request would end the pipeline before the first window was decoded.
 */
final class PipelineRun {
    private static final Map<String, PipelineRun> RUNS = new ConcurrentHashMap<>();

    final String id = UUID.randomUUID().toString();
    final List<JobRequest> requests;
    private final Set<String> jobIds = ConcurrentHashMap.newKeySet();
    private final Set<String> ended = ConcurrentHashMap.newKeySet();
    private final Queue<JobStatus> states = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> allEnded = new CompletableFuture<>();

    private PipelineRun(List<JobRequest> requests) {
        this.requests = List.copyOf(requests);
        requests.forEach(r -> jobIds.add(r.jobId));
    }

    static PipelineRun of(List<JobRequest> requests) {
        PipelineRun run = new PipelineRun(requests);
        RUNS.put(run.id, run);
        return run;
    }

    static PipelineRun find(String id) {
        PipelineRun run = RUNS.get(id);
        if (run == null) {
            throw new IllegalStateException("No pipeline run " + id + " in this JVM (the source and sink only work on a MiniCluster)");
        }
        return run;
    }

    JobRequestSource source() {
        return new JobRequestSource(id);
    }

    CollectStates sink() {
        return new CollectStates(id);
    }

    /** Completes once every job of the run has reached Finished or Failed. */
    CompletableFuture<Void> allEnded() {
        return allEnded;
    }

    void collect(JobStatus status) {
        states.add(status);
        if (status.state.isFinal() && jobIds.contains(status.jobId())) {
            ended.add(status.jobId());
            if (ended.containsAll(jobIds)) {
                allEnded.complete(null);
            }
        }
    }

    /**
     * Runs the job the environment holds until its source ends (every job ended), then returns each job's
     * states in the order the pipeline emitted them. A run that does not end in time is cancelled, and the
     * failure says which states had arrived.
     */
    Map<String, List<JobStatus>> execute(StreamExecutionEnvironment env, Duration timeout) throws Exception {
        JobClient client = env.executeAsync("pipeline run " + id);
        try {
            client.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            client.cancel().get(30, TimeUnit.SECONDS);
            throw new AssertionError("The pipeline did not end every job within " + timeout + "; states so far: " + byJob(), e);
        } finally {
            RUNS.remove(id);
        }
        return byJob();
    }

    private Map<String, List<JobStatus>> byJob() {
        Map<String, List<JobStatus>> byJob = new LinkedHashMap<>();
        requests.forEach(r -> byJob.put(r.jobId, new ArrayList<>()));
        for (JobStatus s : states) {
            byJob.computeIfAbsent(s.jobId(), id -> new ArrayList<>()).add(s);
        }
        return byJob;
    }
}
