package io.flinkasr.workflow;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.operators.AssembleTranscript;
import io.flinkasr.operators.ChunkMedia;
import io.flinkasr.operators.RecognizeChunk;
import io.flinkasr.recognition.RecognizerFactory;
import io.flinkasr.records.Chunk;
import io.flinkasr.records.ChunkResult;
import io.flinkasr.records.JobEvent;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The topology, in one place:
 *
 * <pre>
 *   requests ──keyBy(JobId)──▶ ChunkMedia ──chunks, keyBy(route)──▶ RecognizeChunk ──┐
 *                                  │                                                   keyBy(JobId)
 *                                  └──job events (side output), keyBy(JobId)──▶ AssembleTranscript ──▶ states
 * </pre>
 *
 * Recognition runs at the chunker's parallelism: the chunker picks each chunk's key ({@code route}) so
 * that a job's consecutive chunks land on consecutive recognition subtasks.
 *
 * <p>The entry points hand in the real Kafka source and sink; tests may hand in others.
 */
public final class AsrPipeline {
    private AsrPipeline() {}

    public static void define(
            StreamExecutionEnvironment env,
            Source<JobRequest, ?, ?> requestSource,
            Sink<JobStatus> stateSink,
            RecognizerFactory recognizers,
            Configuration config) {
        DataStream<JobRequest> requests =
                env.fromSource(requestSource, WatermarkStrategy.noWatermarks(), "Job requests")
                        .uid("job-requests");

        SingleOutputStreamOperator<Chunk> chunks =
                requests.keyBy(r -> r.jobId, Types.STRING)
                        .process(new ChunkMedia(config))
                        .uid("chunk-media")
                        .name("Chunk media");
        DataStream<JobEvent> jobEvents = chunks.getSideOutput(ChunkMedia.JOB_EVENTS);

        DataStream<ChunkResult> results =
                chunks.keyBy(c -> c.route, Types.INT)
                        .process(new RecognizeChunk(recognizers, config))
                        .uid("recognize-chunk")
                        .name("Recognize chunk");

        DataStream<JobStatus> states =
                jobEvents.keyBy(e -> e.jobId, Types.STRING)
                        .connect(results.keyBy(r -> r.jobId, Types.STRING))
                        .process(new AssembleTranscript(config))
                        .uid("assemble-transcript")
                        .name("Assemble transcript");

        states.sinkTo(stateSink).uid("job-states").name("Job states");
    }

    /**
     * The production job: Kafka in, Kafka out, Vosk with the configured model. Its settings are checked here,
     * on the client ({@link JobSettings}), and it always checkpoints exactly once ({@link #checkpointed}).
     */
    public static void defineWithKafka(StreamExecutionEnvironment env, Configuration config) {
        JobSettings.check(config);
        checkpointed(env, config);
        flushedAtOnce(env, config);
        define(
                env,
                KafkaEnds.requests(config),
                KafkaEnds.states(config),
                RecognizerFactory.vosk(config.get(AsrOptions.MODEL_PATH), config.get(AsrOptions.RECOGNIZER_MODE)),
                config);
    }

    /**
     * The job brings its own checkpointing: job states are written by a transactional Kafka sink, committed
     * when a checkpoint completes, so without checkpoints no state would ever reach the API. Whatever the
     * submitting client's config says, the job checkpoints exactly once: every {@code asr.checkpoint.interval}
     * where that is set, else at Flink's {@code execution.checkpointing.interval}, else every 2 s.
     */
    /**
     * Every record is sent on as soon as it is written, unless Flink's {@code execution.buffer-timeout.interval}
     * says otherwise: the job's records are few (a request, a chunk per 25 s of audio, a result, a state) and each
     * is awaited by someone, while Flink's default holds a record up to 100 ms on each of the four hops from the
     * request to its state (a 10 s clip spent 0.1-0.15 s so).
     */
    static void flushedAtOnce(StreamExecutionEnvironment env, Configuration config) {
        if (!config.contains(ExecutionOptions.BUFFER_TIMEOUT)) {
            env.setBufferTimeout(0);
        }
    }

    static void checkpointed(StreamExecutionEnvironment env, Configuration config) {
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        if (config.contains(AsrOptions.CHECKPOINT_INTERVAL) || !checkpoints.isCheckpointingEnabled()) {
            env.enableCheckpointing(config.get(AsrOptions.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        } else {
            checkpoints.setCheckpointingConsistencyMode(CheckpointingMode.EXACTLY_ONCE);
        }
    }
}
