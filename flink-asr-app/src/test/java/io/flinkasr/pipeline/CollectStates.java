package io.flinkasr.pipeline;

import io.flinkasr.records.JobStatus;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** A sink that hands every job state to its {@link PipelineRun}, in the order each subtask receives them. */
final class CollectStates implements Sink<JobStatus> {
    private final String runId;

    CollectStates(String runId) {
        this.runId = runId;
    }

    @Override
    public SinkWriter<JobStatus> createWriter(WriterInitContext context) {
        PipelineRun run = PipelineRun.find(runId);
        return new SinkWriter<>() {
            @Override
            public void write(JobStatus status, Context context) {
                run.collect(status);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
