package io.flinkasr.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.recognition.SpeechRecognizer;
import io.flinkasr.records.Chunk;
import io.flinkasr.records.ChunkResult;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The recognition operator's own logic, with a recogniser that says what it was given (the pipeline ITCases run Vosk). */
class RecognizeChunkTest {
    static final AtomicInteger CALLS = new AtomicInteger();

    /** Hears one word at 1.0-1.5 s of whatever it gets. */
    static SpeechRecognizer oneWord() {
        return new SpeechRecognizer() {
            @Override
            public List<Segment> recognize(byte[] pcm) {
                CALLS.incrementAndGet();
                return List.of(new Segment("hello", 1.0, 1.5, new Word[] {new Word("hello", 1.0, 1.5, 1)}));
            }

            @Override
            public void close() {}
        };
    }

    private static byte[] tone(double seconds, int amplitude) {
        int n = (int) (seconds * 16000);
        byte[] pcm = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            short s = (short) (Math.sin(i * 0.1) * amplitude);
            pcm[2 * i] = (byte) s;
            pcm[2 * i + 1] = (byte) (s >> 8);
        }
        return pcm;
    }

    @Test
    void timesBecomeAbsoluteAndSilenceIsNotRecognised() throws Exception {
        CALLS.set(0);
        try (KeyedOneInputStreamOperatorTestHarness<Integer, Chunk, ChunkResult> harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RecognizeChunk(RecognizeChunkTest::oneWord), c -> c.route, Types.INT)) {
            Chunk speech = new Chunk("job", 3, 60.0, tone(10, 8000), 0);
            speech.overlap = 1.5;
            harness.processElement(speech, 0);
            harness.processElement(new Chunk("job", 4, 70.0, tone(10, 5), 0), 0);

            List<ChunkResult> results = harness.extractOutputValues();
            assertThat(results.get(0).segments[0].from).isEqualTo(61.0);
            assertThat(results.get(0).segments[0].words[0].end).isEqualTo(61.5);
            assertThat(results.get(0).overlap).isEqualTo(1.5);
            assertThat(results.get(0).length).isEqualTo(10.0);
            assertThat(results.get(1).segments).isEmpty();
            assertThat(results.get(1).failed()).isFalse();
            assertThat(CALLS.get()).as("the silent chunk never reached the recogniser").isEqualTo(1);
        }
    }

    /** Dies the way a native crash in the recogniser takes the worker down. */
    static SpeechRecognizer crashing() {
        return new SpeechRecognizer() {
            @Override
            public List<Segment> recognize(byte[] pcm) {
                CALLS.incrementAndGet();
                throw new InternalError("simulated crash of the recogniser");
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void aChunkThatKeepsKillingItsWorkerFailsItsJobAfterBoundedAttempts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path attempts) throws Exception {
        CALLS.set(0);
        Chunk poison = new Chunk("job", 0, 0.0, tone(5, 8000), 0);
        for (int restart = 1; restart <= 3; restart++) {
            // each attempt "kills the worker": the error escapes, as the process would die
            try (KeyedOneInputStreamOperatorTestHarness<Integer, Chunk, ChunkResult> harness = harness(RecognizeChunkTest::crashing, attempts)) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> harness.processElement(poison, 0)).isInstanceOf(InternalError.class);
            }
        }
        try (KeyedOneInputStreamOperatorTestHarness<Integer, Chunk, ChunkResult> harness = harness(RecognizeChunkTest::crashing, attempts)) {
            harness.processElement(poison, 0);

            assertThat(harness.extractOutputValues()).singleElement().satisfies(r -> {
                assertThat(r.errorCode).isEqualTo("Recognition.Crashed");
                assertThat(r.jobId).isEqualTo("job");
            });
        }
        assertThat(CALLS.get()).as("three attempts, then no more").isEqualTo(3);
        try (var left = java.nio.file.Files.list(attempts)) {
            assertThat(left).as("the attempts are forgotten once the chunk is given up").isEmpty();
        }
    }

    @Test
    void aRecognisedChunkLeavesNoAttemptBehind(@org.junit.jupiter.api.io.TempDir java.nio.file.Path attempts) throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Integer, Chunk, ChunkResult> harness = harness(RecognizeChunkTest::oneWord, attempts)) {
            harness.processElement(new Chunk("job", 1, 0.0, tone(5, 8000), 0), 0);
            assertThat(harness.extractOutputValues()).singleElement().satisfies(r -> assertThat(r.failed()).isFalse());
        }
        try (var left = java.nio.file.Files.list(attempts)) {
            assertThat(left).isEmpty();
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<Integer, Chunk, ChunkResult> harness(
            io.flinkasr.recognition.RecognizerFactory recognizers, java.nio.file.Path attempts) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new RecognizeChunk(recognizers, attempts.toUri().toString(), 3), c -> c.route, Types.INT);
    }
}
