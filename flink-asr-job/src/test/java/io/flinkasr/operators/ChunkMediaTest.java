package io.flinkasr.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.records.Chunk;
import io.flinkasr.records.JobEvent;
import io.flinkasr.records.JobRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunker with real ffmpeg on generated media: one window per timer, contiguous chunks, clean state. */
class ChunkMediaTest {
    @TempDir static Path media;
    static Path tones;

    private KeyedOneInputStreamOperatorTestHarness<String, JobRequest, Chunk> harness;
    private long now = 1_000;

    /** 50 s of tone bursts (1.6 s on, 0.4 s off): pauses every two seconds. */
    @BeforeAll
    static void generateMedia() throws Exception {
        Process steady = new ProcessBuilder("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                "sine=frequency=300:sample_rate=16000:duration=40", media.resolve("steady.flac").toString())
                .inheritIO().start();
        assertThat(steady.waitFor()).isZero();
        Process minute = new ProcessBuilder("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                "sine=frequency=300:sample_rate=16000:duration=60", media.resolve("minute.flac").toString())
                .inheritIO().start();
        assertThat(minute.waitFor()).isZero();
        tones = media.resolve("tones.flac");
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                "sine=frequency=300:sample_rate=16000:duration=50", "-af",
                "volume=enable='gt(mod(t,2),1.6)':volume=0", tones.toString())
                .inheritIO().start();
        assertThat(p.waitFor()).isZero();
        Files.writeString(media.resolve("notes.mp3"), "this is text, not audio");
        // playlists and concat scripts that point ffmpeg at other files, inside and outside the root
        String playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:60\n#EXTINF:50,\n%s\n#EXT-X-ENDLIST\n";
        Files.writeString(media.resolve("inside.mp3"), String.format(playlist, tones.toUri()));
        Files.writeString(media.resolve("outside.m4a"), String.format(playlist, "file:///etc/passwd"));
        Files.writeString(media.resolve("concat.wav"), "ffconcat version 1.0\nfile '" + tones + "'\n");
    }

    @BeforeEach
    void open() throws Exception {
        open(new Configuration());
    }

    /** Chunks of 10-15 s, so media up to 25 s is one chunk, with {@code extra} settings on top. */
    private void open(Configuration extra) throws Exception {
        open(extra, 1);
    }

    /** The same, as subtask 0 of {@code subtasks}. */
    private void open(Configuration extra, int subtasks) throws Exception {
        Configuration config = new Configuration();
        config.set(AsrOptions.MEDIA_ROOTS, List.of(media.toString()));
        config.set(AsrOptions.STAGING_DIR, media.resolve("staging").toString());
        config.set(AsrOptions.CHUNK_MIN_SECONDS, 10.0);
        config.set(AsrOptions.CHUNK_MAX_SECONDS, 15.0);
        config.set(AsrOptions.CHUNK_LONGEST_SECONDS, 15.0);
        config.set(AsrOptions.MAX_MEDIA_DURATION, java.time.Duration.ofSeconds(55));
        config.addAll(extra);
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ChunkMedia(config)), r -> r.jobId, Types.STRING, 128, subtasks, 0);
        harness.open();
        harness.setProcessingTime(now);
    }

    @Test
    void mediaThatWouldBeCutInJustTwoIsOneChunkWhole() throws Exception {
        JobRequest r = request("short", tones.toString());
        r.duration = 24;
        harness.processElement(r, 0);
        runUntilEnded(1, 20);
        List<Chunk> chunks = harness.extractOutputValues();
        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).seconds()).isCloseTo(24.0, org.assertj.core.data.Offset.offset(0.01));

        harness.close();
        Configuration split = new Configuration();
        split.set(AsrOptions.CHUNK_WHOLE_SECONDS, 0.0);
        open(split);
        harness.processElement(r, 0);
        runUntilEnded(1, 20);
        assertThat(harness.extractOutputValues()).hasSize(2);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static JobRequest request(String id, String input) {
        JobRequest r = new JobRequest();
        r.jobId = id;
        r.inputFile = input;
        return r;
    }

    /**
     * Lets timers fire, a millisecond at a time, until every job has ended (CHUNKED or FAILED): {@code limit} rounds
     * at once, then a few real milliseconds between rounds, for the PCM decoded ahead in the background (a window
     * that waits for it asks again {@link ChunkMedia#PCM_WAIT_MILLIS} later); at most 30 s.
     */
    private List<JobEvent> runUntilEnded(int jobs, int limit) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        for (int i = 0; ended() < jobs && System.nanoTime() < deadline; i++) {
            if (i >= limit) {
                Thread.sleep(2);
            }
            harness.setProcessingTime(++now);
        }
        return events();
    }

    private List<JobEvent> events() {
        ConcurrentLinkedQueue<StreamRecord<JobEvent>> side = harness.getSideOutput(ChunkMedia.JOB_EVENTS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private long ended() {
        return events().stream().filter(e -> e.type != JobEvent.Type.STARTED).count();
    }

    @Test
    void aLongJobsChunksAreAsLongAsTheyCanBeWhileItSpreadsOverEveryRecognizerTwice() throws Exception {
        harness.close();
        Configuration longest = new Configuration();
        longest.set(AsrOptions.CHUNK_LONGEST_SECONDS, 60.0);
        open(longest, 1);
        // 50 s on one recognizer: a share of 25 s, cut between 20 and 30 s, in a pause
        harness.processElement(request("alone", tones.toString()), 0);
        runUntilEnded(1, 20);
        List<Chunk> chunks = harness.extractOutputValues();
        assertThat(chunks).hasSize(2);
        Chunk first = chunks.get(0);
        assertThat(first.seconds()).isBetween(20.0, 30.0);
        assertThat((first.offset + first.seconds()) % 2).isBetween(1.6, 2.0);
        assertThat(chunks.get(1).offset + chunks.get(1).lead).isCloseTo(first.seconds(), org.assertj.core.data.Offset.offset(0.001));

        // the same job on two recognizers: a share of 12.5 s, no longer than max-seconds, so cut as before
        harness.close();
        open(longest, 2);
        String onThisSubtask = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "spread-" + i)
                .filter(id -> org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignKeyToParallelOperator(id, 128, 2) == 0)
                .findFirst().orElseThrow();
        harness.processElement(request(onThisSubtask, tones.toString()), 0);
        runUntilEnded(1, 20);
        chunks = harness.extractOutputValues();
        assertThat(chunks.size()).isBetween(4, 5);
        assertThat(chunks).allSatisfy(c -> assertThat(c.seconds() - c.lead).isLessThanOrEqualTo(15.0));
    }

    @Test
    void cutsTheWholeMediaIntoContiguousChunksAtPauses() throws Exception {
        harness.processElement(request("a", tones.toString()), 0);
        List<JobEvent> events = runUntilEnded(1, 20);

        List<Chunk> chunks = harness.extractOutputValues();
        assertThat(events).extracting(e -> e.type).containsExactly(JobEvent.Type.STARTED, JobEvent.Type.CHUNKED);
        assertThat(events.get(0).mediaSeconds).isCloseTo(50.0, org.assertj.core.data.Offset.offset(0.1));
        assertThat(events.get(1).totalChunks).isEqualTo(chunks.size());
        assertThat(chunks.size()).isBetween(4, 5);
        double expected = 0;
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            assertThat(c.seq).isEqualTo(i);
            // each chunk but the first starts with 3 s of context the previous one holds whole
            assertThat(c.lead).isEqualTo(i == 0 ? 0.0 : 3.0);
            assertThat(c.offset + c.lead).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.001));
            double own = c.seconds() - c.lead;
            assertThat(own).isLessThanOrEqualTo(15.0);
            if (i < chunks.size() - 1) {
                assertThat(own).isGreaterThanOrEqualTo(10.0);
                // the cut falls in a pause: 1.6-2.0 s into each two seconds
                assertThat((c.offset + c.seconds()) % 2).isBetween(1.6, 2.0);
            }
            expected += own;
        }
        assertThat(expected).isCloseTo(50.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void theWindowCallbacksOfJobsThatArriveTogetherAreTurnsOfTheirOwn() throws Exception {
        for (String id : List.of("a", "b", "c")) {
            harness.processElement(request(id, tones.toString()), 0);
        }
        // timers due by one time fire in one go, with no barrier or input between them: one job's window per millisecond
        harness.setProcessingTime(++now);
        assertThat(events()).hasSize(1);
        harness.setProcessingTime(++now);
        assertThat(events()).hasSize(2);
        runUntilEnded(3, 40);
        assertThat(events()).filteredOn(e -> e.type == JobEvent.Type.CHUNKED).hasSize(3);
    }

    @Test
    void whereThereIsNoPauseTheNextChunkOverlapsTheCut() throws Exception {
        harness.processElement(request("steady", media.resolve("steady.flac").toString()), 0);
        runUntilEnded(1, 20);

        List<Chunk> chunks = harness.extractOutputValues();
        assertThat(chunks.size()).isGreaterThanOrEqualTo(3);
        assertThat(chunks.get(0).overlap).isZero();
        for (int i = 1; i < chunks.size(); i++) {
            Chunk previous = chunks.get(i - 1);
            assertThat(chunks.get(i).overlap).isEqualTo(1.5);
            assertThat(chunks.get(i).offset + chunks.get(i).lead).isCloseTo(previous.offset + previous.seconds() - 1.5, org.assertj.core.data.Offset.offset(0.001));
        }
        Chunk last = chunks.get(chunks.size() - 1);
        assertThat(last.offset + last.seconds()).isCloseTo(40.0, org.assertj.core.data.Offset.offset(0.05));
    }

    @Test
    void honoursStartTimeAndDuration() throws Exception {
        JobRequest r = request("b", tones.toString());
        r.startTime = 12.5;
        r.duration = 20;
        harness.processElement(r, 0);
        runUntilEnded(1, 20);

        List<Chunk> chunks = harness.extractOutputValues();
        assertThat(chunks.get(0).offset).isEqualTo(12.5);
        double total = chunks.stream().mapToDouble(c -> c.seconds() - c.lead).sum();
        assertThat(total).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.media).as("the recogniser reads the window from the media itself").isEqualTo(tones.toRealPath().toString());
            assertThat(Path.of(c.audio)).as("the window's audio, staged for the recogniser").hasSize(Math.round(c.seconds * 32000));
            assertThat(c.seconds * 16000).as("whole samples").isCloseTo(Math.rint(c.seconds * 16000), org.assertj.core.data.Offset.offset(1e-6));
        });
        assertThat(events().get(0).mediaSeconds).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void aBadInputFailsWithItsCodeAndLeavesNoState() throws Exception {
        harness.processElement(request("missing", media.resolve("missing.wav").toString()), 0);
        harness.processElement(request("text", media.resolve("notes.mp3").toString()), 0);
        harness.processElement(request("outside", "/etc/passwd"), 0);
        harness.processElement(request("playlist-in", media.resolve("inside.mp3").toString()), 0);
        harness.processElement(request("playlist-out", media.resolve("outside.m4a").toString()), 0);
        harness.processElement(request("concat", media.resolve("concat.wav").toString()), 0);
        JobRequest tooLong = request("too-long", media.resolve("minute.flac").toString()); // 60 s, 55 s allowed
        harness.processElement(tooLong, 0);
        JobRequest late = request("late", tones.toString());
        late.startTime = 60;
        harness.processElement(late, 0);
        List<JobEvent> events = runUntilEnded(8, 10);

        assertThat(events).extracting(e -> e.jobId + ":" + e.errorCode).containsExactlyInAnyOrder(
                "missing:InputFile.NotFound", "text:Media.Unsupported",
                "outside:InputFile.AccessDenied", "late:InvalidParameter.StartTime",
                "playlist-in:Media.Unsupported", "playlist-out:Media.Unsupported", "concat:Media.Unsupported",
                "too-long:Media.TooLong");
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aReplayedRequestDoesNotStartTheJobTwice() throws Exception {
        harness.processElement(request("a", tones.toString()), 0);
        harness.processElement(request("a", tones.toString()), 0);
        runUntilEnded(1, 20);

        assertThat(events()).extracting(e -> e.type).containsExactly(JobEvent.Type.STARTED, JobEvent.Type.CHUNKED);
    }
}
