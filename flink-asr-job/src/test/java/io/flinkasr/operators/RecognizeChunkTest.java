package io.flinkasr.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkasr.recognition.RecognizerFactory;
import io.flinkasr.recognition.SpeechRecognizer;
import io.flinkasr.records.Chunk;
import io.flinkasr.records.ChunkResult;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recognition operator's own logic, with real ffmpeg reading the chunks' windows from a generated WAV
 * file and recognisers that say what they were given (the pipeline ITCases run Vosk).
 */
class RecognizeChunkTest {
    static final AtomicInteger CALLS = new AtomicInteger();

    @TempDir Path tmp;
    private Path media;
    private long now;

    /** 20 s: a loud tone for 10 s, then 10 s of near-silence. */
    @BeforeEach
    void media() throws Exception {
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        pcm.writeBytes(tone(10, 8000));
        pcm.writeBytes(tone(10, 5));
        media = wav(tmp.resolve("media.wav"), pcm.toByteArray());
    }

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

    /** Like {@link #oneWord()}, but takes a turn per 2 s of audio, as Vosk does; says how much it heard. */
    static SpeechRecognizer sliced() {
        return slicedSaying(pcm -> {
            CALLS.incrementAndGet();
            return String.valueOf(pcm.length / 32000);
        });
    }

    static final AtomicInteger CREATED = new AtomicInteger();

    /** Takes a turn per 2 s of audio; says which recognizer it is: "r" and its number in the order created. */
    static SpeechRecognizer numbered() {
        String name = "r" + CREATED.getAndIncrement();
        return slicedSaying(pcm -> name);
    }

    /** A recognizer that takes a turn per 2 s of audio and hears, in each chunk, the one word {@code said} gives at its start. */
    private static SpeechRecognizer slicedSaying(java.util.function.Function<byte[], String> said) {
        return new SpeechRecognizer() {
            @Override
            public List<Segment> recognize(byte[] pcm) {
                throw new UnsupportedOperationException("the operator decodes a slice at a time");
            }

            @Override
            public Decoding start(byte[] pcm) {
                String heard = said.apply(pcm);
                return new Decoding() {
                    int fed;

                    @Override
                    public boolean feed(int maxBytes) {
                        fed = Math.min(pcm.length, fed + maxBytes);
                        return fed == pcm.length;
                    }

                    @Override
                    public List<Segment> segments() {
                        return List.of(new Segment(heard, 0.5, 1.0, new Word[] {new Word(heard, 0.5, 1.0, 1)}));
                    }
                };
            }

            @Override
            public void close() {}
        };
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
    void timesBecomeAbsoluteAndSilenceIsNotRecognised() throws Exception {
        CALLS.set(0);
        try (var harness = harness(RecognizeChunkTest::oneWord, null)) {
            Chunk speech = chunk("job", 3, 0.0, 10.0);
            speech.overlap = 1.5;
            harness.processElement(speech, 0);
            harness.processElement(chunk("job", 4, 10.0, 10.0), 0);
            List<ChunkResult> results = run(harness);

            assertThat(results).hasSize(2);
            ChunkResult loud = results.stream().filter(r -> r.seq == 3).findFirst().orElseThrow();
            ChunkResult quiet = results.stream().filter(r -> r.seq == 4).findFirst().orElseThrow();
            assertThat(loud.segments[0].from).isEqualTo(1.0);
            assertThat(quiet.offset).isEqualTo(10.0);
            assertThat(loud.segments[0].words[0].end).isEqualTo(1.5);
            assertThat(loud.overlap).isEqualTo(1.5);
            assertThat(loud.length).isEqualTo(10.0);
            assertThat(quiet.segments).isEmpty();
            assertThat(quiet.failed()).isFalse();
            assertThat(CALLS.get()).as("the silent chunk never reached the recogniser").isEqualTo(1);
        }
    }

    @Test
    void eachResultTellsWhichSubtaskRecognisedItAndWhen() throws Exception {
        long before = System.currentTimeMillis();
        try (var harness = harness(RecognizeChunkTest::oneWord, null)) {
            harness.processElement(chunk("job", 0, 0.0, 10.0), 0);
            harness.processElement(chunk("job", 1, 10.0, 10.0), 0);
            List<ChunkResult> results = run(harness);

            assertThat(results).hasSize(2).allSatisfy(r -> {
                assertThat(r.subtask).isZero();
                assertThat(r.startedAt).isBetween(before, r.endedAt);
                assertThat(r.endedAt).isLessThanOrEqualTo(System.currentTimeMillis());
            });
        }
    }

    @Test
    void theRecogniserHearsExactlyTheChunksWindowOfTheMedia() throws Exception {
        try (var harness = harness(RecognizeChunkTest::sliced, null)) {
            harness.processElement(chunk("job", 0, 2.5, 7.0), 0);
            ChunkResult result = run(harness).get(0);
            assertThat(result.segments[0].content).as("seconds of audio the recogniser got").isEqualTo("7");
            assertThat(result.segments[0].from).isEqualTo(3.0);
        }
    }

    @Test
    void theChunkersStagedAudioIsHeardInsteadOfDecodingAgainAndThenDeleted() throws Exception {
        CALLS.set(0);
        try (var harness = harness(RecognizeChunkTest::oneWord, null)) {
            Chunk staged = chunk("job", 0, 0.0, 5.0); // loud in the media, silent as staged
            staged.audio = Files.write(tmp.resolve("0.pcm"), new byte[5 * 32000]).toString();
            Chunk wrongSize = chunk("job", 1, 0.0, 5.0);
            wrongSize.audio = Files.write(tmp.resolve("1.pcm"), new byte[1000]).toString();
            harness.processElement(staged, 0);
            harness.processElement(wrongSize, 0);
            List<ChunkResult> results = run(harness);

            assertThat(results.stream().filter(r -> r.seq == 0).findFirst().orElseThrow().segments).as("heard the staged silence").isEmpty();
            assertThat(results.stream().filter(r -> r.seq == 1).findFirst().orElseThrow().segments).as("decoded from the media").hasSize(1);
            assertThat(CALLS.get()).isEqualTo(1);
            assertThat(tmp.resolve("0.pcm")).as("deleted once recognised").doesNotExist();
        }
    }

    @Test
    void aShortJobsChunkOvertakesALongJobsQueueAndTheLongJobStillMovesOn() throws Exception {
        try (var harness = harness(RecognizeChunkTest::sliced, null)) {
            for (int seq = 0; seq < 4; seq++) {
                harness.processElement(chunk("hour", seq, 0.0, 10.0), 0);
            }
            turns(harness, 2); // the long job's first chunk is under way
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.processElement(chunk("clip", 0, 0.0, 6.0), 0);
            List<String> order = new ArrayList<>();
            for (ChunkResult r : run(harness)) {
                order.add(r.jobId + "#" + r.seq);
            }

            assertThat(order).as("the clip does not wait for the queued chunks of the hour").startsWith("clip#0");
            assertThat(order).containsExactly("clip#0", "hour#0", "hour#1", "hour#2", "hour#3");
        }
    }

    @Test
    void aLongJobAloneTakesTurnsOnBothRecognizersSoThatBothAreWarmWhenAShortJobOvertakes() throws Exception {
        CREATED.set(0);
        try (var harness = harness(RecognizeChunkTest::numbered, null)) {
            for (int seq = 0; seq < 4; seq++) {
                harness.processElement(chunk("hour", seq, 0.0, 10.0), 0);
            }
            List<String> heardBy = new ArrayList<>();
            for (ChunkResult r : run(harness)) {
                heardBy.add(r.segments[0].content);
            }
            assertThat(heardBy).as("the recognizer of each chunk, in order").containsExactly("r0", "r1", "r0", "r1");
        }
    }

    @Test
    void whileShortJobsKeepComingTheOldestChunkStillGetsEveryFourthTurn() {
        List<Chunk> waiting = new ArrayList<>();
        Chunk oldest = chunk("hour", 7, 0, 10);
        oldest.arrival = 1;
        Chunk longer = chunk("hour", 8, 0, 10);
        longer.arrival = 2;
        Chunk clip = chunk("clip", 0, 0, 10);
        clip.arrival = 3;
        waiting.addAll(List.of(longer, clip, oldest));

        assertThat(RecognizeChunk.pick(waiting, false)).isSameAs(clip);
        assertThat(RecognizeChunk.pick(waiting, true)).isSameAs(oldest);
        assertThat(RecognizeChunk.pick(List.of(longer, oldest), false)).as("within a job, in order").isSameAs(oldest);
    }

    @Test
    void aChunkUnderWayWhenACheckpointIsTakenIsRecognisedAfterTheRestart() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var harness = harness(RecognizeChunkTest::sliced, null)) {
            harness.processElement(chunk("job", 0, 0.0, 10.0), 0);
            harness.processElement(chunk("job", 1, 10.0, 10.0), 0); // silent: answered at its first turn
            turns(harness, 2);
            checkpoint = harness.snapshot(1, now);
        }
        try (var harness = harness(RecognizeChunkTest::sliced, null, checkpoint)) {
            List<ChunkResult> results = run(harness);
            assertThat(results).extracting(r -> r.seq).contains(0);
            assertThat(results).allSatisfy(r -> assertThat(r.failed()).isFalse());
        }
    }

    @Test
    void aChunkWhoseMediaWentAwayFailsItsJobWithAClearError() throws Exception {
        try (var harness = harness(RecognizeChunkTest::oneWord, null)) {
            Chunk gone = chunk("job", 0, 0.0, 5.0);
            gone.media = tmp.resolve("deleted.media").toString();
            harness.processElement(gone, 0);
            assertThat(run(harness)).singleElement().satisfies(r -> {
                assertThat(r.errorCode).isEqualTo("InputFile.NotFound");
                assertThat(r.errorMessage).contains("went away");
            });
        }
    }

    @Test
    void aChunkThatKeepsKillingItsWorkerFailsItsJobAfterBoundedAttempts() throws Exception {
        CALLS.set(0);
        Path attempts = Files.createDirectories(tmp.resolve("attempts"));
        Chunk poison = chunk("job", 0, 0.0, 5.0);
        for (int restart = 1; restart <= 3; restart++) {
            // each attempt "kills the worker": the error escapes, as the process would die
            try (var harness = harness(RecognizeChunkTest::crashing, attempts)) {
                harness.processElement(poison, 0);
                assertThatThrownBy(() -> run(harness)).isInstanceOf(InternalError.class);
            }
        }
        try (var harness = harness(RecognizeChunkTest::crashing, attempts)) {
            harness.processElement(poison, 0);

            assertThat(run(harness)).singleElement().satisfies(r -> {
                assertThat(r.errorCode).isEqualTo("Recognition.Crashed");
                assertThat(r.jobId).isEqualTo("job");
            });
        }
        assertThat(CALLS.get()).as("three attempts, then no more").isEqualTo(3);
        try (var left = Files.list(attempts)) {
            assertThat(left).as("the attempts are forgotten once the chunk is given up").isEmpty();
        }
    }

    @Test
    void aRecognisedChunkLeavesNoAttemptBehind() throws Exception {
        Path attempts = Files.createDirectories(tmp.resolve("attempts"));
        try (var harness = harness(RecognizeChunkTest::oneWord, attempts)) {
            harness.processElement(chunk("job", 1, 0.0, 5.0), 0);
            assertThat(run(harness)).singleElement().satisfies(r -> assertThat(r.failed()).isFalse());
        }
        try (var left = Files.list(attempts)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aChunkUnderWayWhenItsTaskIsCancelledKeepsItsAttemptsForRealCrashes() throws Exception {
        Path attempts = Files.createDirectories(tmp.resolve("attempts"));
        Chunk slow = chunk("job", 0, 0.0, 10.0);
        for (int restart = 1; restart <= 4; restart++) {
            // the task is cancelled (a rescale, a restart for another task's failure) while the chunk is under way
            try (var harness = harness(RecognizeChunkTest::sliced, attempts)) {
                harness.processElement(slow, 0);
                turns(harness, 2);
                assertThat(harness.extractOutputValues()).as("still under way").isEmpty();
                try (var left = Files.list(attempts)) {
                    assertThat(left).as("the attempt is on record while it runs").hasSize(1);
                }
            }
            try (var left = Files.list(attempts)) {
                assertThat(left).as("withdrawn when the task closes with its worker alive").isEmpty();
            }
        }
        try (var harness = harness(RecognizeChunkTest::sliced, attempts)) {
            harness.processElement(slow, 0);
            assertThat(run(harness)).singleElement().satisfies(r -> assertThat(r.failed()).isFalse());
        }
    }

    private Chunk chunk(String job, int seq, double offset, double seconds) {
        return new Chunk(job, seq, media == null ? null : media.toString(), offset, seconds, 0);
    }

    /** Takes turns until the queue is empty; all results. */
    private List<ChunkResult> run(KeyedOneInputStreamOperatorTestHarness<Integer, Chunk, ChunkResult> harness) throws Exception {
        turns(harness, 200);
        return harness.extractOutputValues();
    }

    private void turns(KeyedOneInputStreamOperatorTestHarness<Integer, Chunk, ChunkResult> harness, int turns) throws Exception {
        for (int i = 0; i < turns; i++) {
            harness.setProcessingTime(++now);
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<Integer, Chunk, ChunkResult> harness(RecognizerFactory recognizers, Path attempts)
            throws Exception {
        return harness(recognizers, attempts, null);
    }

    /** A harness of the operator, opened (from {@code restored}, where given). */
    private KeyedOneInputStreamOperatorTestHarness<Integer, Chunk, ChunkResult> harness(
            RecognizerFactory recognizers, Path attempts, OperatorSubtaskState restored) throws Exception {
        Configuration config = new Configuration();
        if (attempts != null) {
            config.setString("asr.recognition.attempts-dir", attempts.toUri().toString());
            config.setString("asr.recognition.max-attempts", "3");
        }
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(new RecognizeChunk(recognizers, config)),
                (Chunk c) -> c.route, Types.INT);
        harness.setup();
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
        harness.setProcessingTime(now);
        return harness;
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

    /** 16 kHz mono 16-bit WAV. */
    private static Path wav(Path file, byte[] pcm) throws Exception {
        ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        header.put("RIFF".getBytes()).putInt(36 + pcm.length).put("WAVEfmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(16000).putInt(32000).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(pcm.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.array());
        out.writeBytes(pcm);
        return Files.write(file, out.toByteArray());
    }
}
