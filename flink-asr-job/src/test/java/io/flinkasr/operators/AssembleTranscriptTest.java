package io.flinkasr.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.records.ChunkResult;
import io.flinkasr.records.JobEvent;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AssembleTranscriptTest {
    private static final String JOB = "job-1";
    private static final long STALL = Duration.ofMinutes(10).toMillis();
    private static final long RETENTION = Duration.ofMinutes(5).toMillis();

    private KeyedTwoInputStreamOperatorTestHarness<String, JobEvent, ChunkResult, JobStatus> harness;

    @BeforeEach
    void open() throws Exception {
        Configuration config = new Configuration();
        config.set(AsrOptions.STALL_TIMEOUT, Duration.ofMillis(STALL));
        config.set(AsrOptions.ENDED_RETENTION, Duration.ofMillis(RETENTION));
        harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                new AssembleTranscript(config), e -> e.jobId, r -> r.jobId, Types.STRING);
        harness.setProcessingTime(1_000);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static JobRequest request(boolean words) {
        JobRequest r = new JobRequest();
        r.jobId = JOB;
        r.inputFile = "/media/talk.wav";
        r.wordLevel = words;
        return r;
    }

    /** A chunk at {@code offset} holding one segment per text, one second each. */
    private static ChunkResult chunk(int seq, double offset, String... texts) {
        ChunkResult r = new ChunkResult();
        r.jobId = JOB;
        r.seq = seq;
        r.offset = offset;
        r.length = 20;
        r.subtask = seq % 2;
        r.segments = new Segment[texts.length];
        for (int i = 0; i < texts.length; i++) {
            double from = offset + i * 2;
            r.segments[i] = new Segment(texts[i], from, from + 1, new Word[] {new Word(texts[i], from, from + 1, 0.9)});
        }
        return r;
    }

    private static ChunkResult failedChunk(int seq) {
        ChunkResult r = chunk(seq, seq * 20.0);
        r.segments = null;
        r.errorCode = "Recognition.Failed";
        r.errorMessage = "boom";
        return r;
    }

    private List<JobStatus> output() {
        return harness.extractOutputValues();
    }

    private JobStatus last() {
        List<JobStatus> out = output();
        return out.get(out.size() - 1);
    }

    @Test
    void ordersChunksThatArriveOutOfOrderAndClearsItsState() throws Exception {
        harness.processElement1(JobEvent.started(request(false), 60), 1);
        harness.processElement2(chunk(2, 40, "third"), 1);
        harness.processElement2(chunk(0, 0, "first", "second"), 1);
        harness.processElement1(JobEvent.chunked(JOB, 3), 1);
        assertThat(last().state).isEqualTo(JobState.Executing);

        harness.processElement2(chunk(1, 20, "middle"), 1);

        JobStatus finished = last();
        assertThat(finished.state).isEqualTo(JobState.Finished);
        assertThat(finished.segments).extracting(s -> s.content).containsExactly("First", "Second", "Middle", "Third");
        assertThat(finished.segments).extracting(s -> s.from).containsExactly(0.0, 2.0, 20.0, 40.0);
        assertThat(finished.segments).allSatisfy(s -> assertThat(s.words).as("kept for subtitles").isNotEmpty());
        assertThat(finished.chunks).extracting(c -> c.seq).containsExactly(0, 1, 2);
        assertThat(output()).extracting(s -> s.state).containsOnly(JobState.Executing, JobState.Finished);

        // only the ended-marker is left, and it goes once the retention passes
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        harness.setProcessingTime(1_000 + RETENTION);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void keepsTheWordsOfEachSegment() throws Exception {
        harness.processElement1(JobEvent.started(request(true), 20), 1);
        harness.processElement2(chunk(0, 0, "hello"), 1);
        harness.processElement1(JobEvent.chunked(JOB, 1), 1);

        assertThat(last().segments[0].words).extracting(w -> w.word).containsExactly("hello");
    }

    @Test
    void reportsProgressWhileChunksComeIn() throws Exception {
        harness.processElement1(JobEvent.started(request(false), 60), 1);
        harness.processElement2(chunk(0, 0, "a"), 1);
        harness.processElement1(JobEvent.chunked(JOB, 3), 1);
        harness.processElement2(chunk(1, 20, "b"), 1);

        assertThat(output()).extracting(s -> s.chunksDone).containsExactly(0, 1, 2);
        assertThat(last().chunksTotal).isEqualTo(3);
        assertThat(last().mediaSeconds).isEqualTo(60);
    }

    @Test
    void everyStateCarriesTheChunksDoneSoFarWithTheirSubtaskAndRecognitionTimes() throws Exception {
        harness.processElement1(JobEvent.started(request(false), 60), 1);
        ChunkResult second = chunk(1, 20, "b");
        second.startedAt = 5_000;
        second.endedAt = 7_500;
        harness.processElement2(second, 1);
        ChunkResult first = chunk(0, 0, "a");
        first.startedAt = 5_100;
        first.endedAt = 8_000;
        harness.processElement2(first, 1);

        JobStatus executing = last();
        assertThat(executing.state).isEqualTo(JobState.Executing);
        assertThat(executing.chunks).extracting(c -> c.seq, c -> c.subtask, c -> c.startedAt, c -> c.endedAt)
                .containsExactly(tuple(0, 0, 5_100L, 8_000L), tuple(1, 1, 5_000L, 7_500L));

        harness.processElement1(JobEvent.chunked(JOB, 2), 1);
        assertThat(last().state).isEqualTo(JobState.Finished);
        assertThat(last().chunks).extracting(c -> c.seq, c -> c.subtask, c -> c.startedAt, c -> c.endedAt)
                .containsExactly(tuple(0, 0, 5_100L, 8_000L), tuple(1, 1, 5_000L, 7_500L));
    }

    @Test
    void aFailedChunkFailsTheJobAndLaterChunksAreDropped() throws Exception {
        harness.processElement1(JobEvent.started(request(false), 60), 1);
        harness.processElement2(chunk(0, 0, "a"), 1);
        harness.processElement2(failedChunk(1), 1);
        harness.processElement2(chunk(2, 40, "c"), 1);
        harness.processElement1(JobEvent.chunked(JOB, 3), 1);

        assertThat(output()).extracting(s -> s.state)
                .containsExactly(JobState.Executing, JobState.Executing, JobState.Failed);
        assertThat(last().errorCode).isEqualTo("Recognition.Failed");
        harness.setProcessingTime(1_000 + RETENTION);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aFailedInputEndsTheJobFailedWithItsCode() throws Exception {
        harness.processElement1(JobEvent.failed(request(false), "InputFile.NotFound", "The InputFile does not exist."), 1);

        assertThat(output()).singleElement().satisfies(s -> {
            assertThat(s.state).isEqualTo(JobState.Failed);
            assertThat(s.errorCode).isEqualTo("InputFile.NotFound");
            assertThat(s.request.jobId).isEqualTo(JOB);
        });
    }

    @Test
    void aJobThatStallsEndsFailedInsteadOfHanging() throws Exception {
        harness.processElement1(JobEvent.started(request(false), 60), 1);
        harness.processElement2(chunk(0, 0, "a"), 1);

        harness.setProcessingTime(1_000 + STALL);

        assertThat(last().state).isEqualTo(JobState.Failed);
        assertThat(last().errorCode).isEqualTo("Job.Timeout");
        harness.setProcessingTime(1_000 + STALL + RETENTION);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }
}
