package io.flinkasr.api;

/**
 * The state of the Flink job behind the API, as {@code /health} reports it: {@code RUNNING} when jobs are
 * being recognised, otherwise the job's state (CANCELED, FAILED, RESTARTING, ...) or why it is not known.
 */
@FunctionalInterface
public interface PipelineHealth {
    String RUNNING = "RUNNING";

    String pipelineState();

    /** For an API that is not told about the pipeline: /health then reports the API alone. */
    PipelineHealth NOT_WATCHED = () -> "NOT_WATCHED";
}
