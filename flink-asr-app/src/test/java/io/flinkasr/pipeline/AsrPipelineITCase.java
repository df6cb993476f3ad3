package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.api.SubmitParameters;
import io.flinkasr.bench.JoinedSpeech;
import io.flinkasr.bench.Recording;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.TestStacks;
import io.flinkasr.recognition.RecognizerFactory;
import io.flinkasr.records.ChunkInfo;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import io.flinkasr.workflow.AsrPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline itself, {@link AsrPipeline#define}, on a shared MiniCluster at parallelism 2: a bounded
 * source of job requests (as the API writes them: {@link SubmitParameters}) and a sink that collects every
 * state, with the real Vosk model and real ffmpeg on the shared recordings. No Kafka, no HTTP, no polling:
 * the layer between the operators' harness tests and the local stack's end-to-end tests.
 *
 * <p>Good and bad inputs run together in one batch, so every good job finishing is also the proof that the
 * bad ones beside it disturb nothing. {@code Created} is the API's state (it shows a request as Created
 * when it writes it); the pipeline's states are Executing, then exactly one Finished or Failed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsrPipelineITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(8);
    private static final long USER = 1001;
    private static final Instant SUBMITTED = Instant.parse("2026-11-30T12:00:00Z");

    /** Short recordings, decoded whole, by JobId. */
    private static final Map<String, String> RECORDINGS = Map.of(
            "jfk", "jfk.flac",
            "librispeech-0", "test_audio_0.flac",
            "librispeech-2412", "2412-153948-0000.flac");
    /** Bad inputs by JobId, with the ErrorCode each must end with. */
    private static final Map<String, String> BAD_CODES = Map.of(
            "missing", "InputFile.NotFound",
            "text-named-mp3", "Media.Unsupported",
            "empty", "Media.Unsupported",
            "outside-the-roots", "InputFile.AccessDenied",
            "starts-past-the-end", "InvalidParameter.StartTime");

    @TempDir static Path tmp;
    private Map<String, JobRequest> requests;
    private Map<String, List<JobStatus>> states;
    private JoinedSpeech longInput;

    @BeforeAll
    void runOneBatchThroughThePipeline() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        Path jfk = SpeechSet.file("jfk.flac");
        List<Recording> all = SpeechSet.load().stream().map(r -> new Recording(r.file(), r.seconds(), r.transcript())).toList();
        longInput = JoinedSpeech.join("ffmpeg", all, 1.0, tmp, media.resolve("long.flac"));

        requests = new LinkedHashMap<>();
        RECORDINGS.forEach((jobId, name) -> submit(jobId, "InputFile", SpeechSet.file(name).toString()));
        submit("jfk-seconds-5-to-9", "InputFile", jfk.toString(), "StartTime", "00:00:05", "Duration", "00:00:04");
        submit("jfk-four-words-with-timings", "InputFile", jfk.toString(), "EditingConfig", "{\"SentenceMaxLength\":4}",
                "JobParameters", "{\"request_params\":\"&enable_word_level_result=true\"}");
        submit("long", "InputFile", longInput.file().toString());
        submit("missing", "InputFile", media.resolve("missing.wav").toString());
        submit("text-named-mp3", "InputFile", Files.writeString(media.resolve("notes.mp3"), "not audio at all").toString());
        submit("empty", "InputFile", Files.createFile(media.resolve("empty.wav")).toString());
        submit("outside-the-roots", "InputFile", "/etc/passwd");
        submit("starts-past-the-end", "InputFile", jfk.toString(), "StartTime", "00:05:00");

        Configuration config = TestStacks.asUsersRunIt(SpeechSet.dir(), media);
        config.set(AsrOptions.STAGING_DIR, tmp.resolve("staging").toString());
        // short chunks, so that the long input is cut into many chunks over both recognition subtasks
        config.set(AsrOptions.CHUNK_MIN_SECONDS, 6.0);
        config.set(AsrOptions.CHUNK_MAX_SECONDS, 12.0);
        config.set(AsrOptions.CHUNK_LONGEST_SECONDS, 12.0);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        PipelineRun run = PipelineRun.of(new ArrayList<>(requests.values()));
        AsrPipeline.define(env, run.source(), run.sink(),
                RecognizerFactory.vosk(config.get(AsrOptions.MODEL_PATH), config.get(AsrOptions.RECOGNIZER_MODE)), config);
        states = run.execute(env, RUN_TIMEOUT);
    }

    /** A request exactly as the API builds it from SubmitASRJob's parameters. */
    private void submit(String jobId, String... parameters) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < parameters.length; i += 2) {
            params.put(parameters[i], parameters[i + 1]);
        }
        requests.put(jobId, SubmitParameters.parse(params, USER, jobId, SUBMITTED));
    }

    private static List<JobState> stateNames(List<JobStatus> states) {
        return states.stream().map(s -> s.state).toList();
    }

    /** The states without repeats: what a user polling the job can tell apart. */
    private static List<JobState> distinct(List<JobStatus> states) {
        List<JobState> seen = new ArrayList<>();
        for (JobStatus s : states) {
            if (seen.isEmpty() || seen.get(seen.size() - 1) != s.state) {
                seen.add(s.state);
            }
        }
        return seen;
    }

    private JobStatus last(String jobId) {
        List<JobStatus> job = states.get(jobId);
        return job.get(job.size() - 1);
    }

    private static String text(Segment[] segments) {
        return Arrays.stream(segments).map(s -> s.content).collect(Collectors.joining(" "));
    }

    private static void assertWellFormed(JobStatus finished, double from, double to) {
        assertThat(finished.segments).isNotEmpty();
        double previousEnd = from;
        for (Segment s : finished.segments) {
            assertThat(s.content).isNotBlank();
            assertThat(Character.isUpperCase(s.content.charAt(0))).as("capitalised: %s", s.content).isTrue();
            assertThat(s.from).as("ordered, not overlapping, inside the range: %s", s).isGreaterThanOrEqualTo(previousEnd);
            assertThat(s.to).as("inside the range: %s", s).isGreaterThan(s.from).isLessThanOrEqualTo(to + 0.05);
            previousEnd = s.to;
        }
    }

    @Test
    void everyJobEndsExactlyOnceAndItsStatesOnlyMoveForward() {
        assertThat(states.keySet()).containsExactlyInAnyOrderElementsOf(requests.keySet());
        states.forEach((jobId, job) -> {
            assertThat(job).as("states of %s", jobId).isNotEmpty();
            assertThat(job.stream().filter(s -> s.state.isFinal())).as("final states of %s", jobId).hasSize(1);
            assertThat(job.get(job.size() - 1).state.isFinal()).as("%s ends with its final state", jobId).isTrue();
            assertThat(stateNames(job)).as("%s: Created is the API's state, not the pipeline's", jobId).doesNotContain(JobState.Created);
            for (int i = 1; i < job.size(); i++) {
                assertThat(job.get(i - 1).state.mayMoveTo(job.get(i).state)).as("%s: %s", jobId, stateNames(job)).isTrue();
            }
            assertThat(job).allSatisfy(s -> assertThat(s.request.jobId).isEqualTo(jobId));
        });
    }

    @Test
    void recordingsGoExecutingThenFinishedWithTheirWords() throws Exception {
        Map<String, String> transcripts = new LinkedHashMap<>();
        SpeechSet.load().forEach(r -> transcripts.put(r.file().getFileName().toString(), r.transcript()));
        Map<String, Double> seconds = new LinkedHashMap<>();
        SpeechSet.load().forEach(r -> seconds.put(r.file().getFileName().toString(), r.seconds()));

        for (Map.Entry<String, String> e : RECORDINGS.entrySet()) {
            String jobId = e.getKey();
            List<JobStatus> job = states.get(jobId);
            assertThat(distinct(job)).as("%s", jobId).containsExactly(JobState.Executing, JobState.Finished);
            JobStatus executing = job.get(0);
            assertThat(executing.chunksDone).as("%s starts with no chunk done", jobId).isZero();
            assertThat(executing.mediaSeconds).as("%s's length, probed", jobId).isCloseTo(seconds.get(e.getValue()),
                    org.assertj.core.data.Offset.offset(0.1));

            JobStatus finished = last(jobId);
            assertThat(finished.errorCode).isNull();
            assertThat(finished.chunks).as("%s is short: one chunk, decoded whole", jobId).hasSize(1);
            assertThat(finished.chunksDone).isEqualTo(finished.chunksTotal).isEqualTo(1);
            assertWellFormed(finished, 0, seconds.get(e.getValue()));
            String reference = transcripts.get(e.getValue());
            int words = WordErrorRate.words(reference).length;
            assertThat(WordErrorRate.errors(reference, text(finished.segments)))
                    .as("%s: words wrong against the manifest (%d words): %s", jobId, words, text(finished.segments))
                    .isLessThanOrEqualTo(Math.max(1, words / 10));
        }
        assertThat(text(last("jfk").segments).toLowerCase(Locale.ROOT)).contains("what your country can do for you");
    }

    @Test
    void badInputsEndFailedWithTheirCodeAndNothingBefore() {
        BAD_CODES.forEach((jobId, code) -> {
            List<JobStatus> job = states.get(jobId);
            assertThat(stateNames(job)).as("%s never started", jobId).containsExactly(JobState.Failed);
            JobStatus failed = job.get(0);
            assertThat(failed.errorCode).as("%s", jobId).isEqualTo(code);
            assertThat(failed.errorMessage).as("%s", jobId).isNotBlank().doesNotContain("Exception").doesNotContain("/");
            assertThat(failed.segments).isNull();
            assertThat(failed.request.inputFile).isEqualTo(requests.get(jobId).inputFile);
        });
    }

    @Test
    void aStartTimeAndDurationKeepTimesAbsoluteInTheMedia() {
        JobStatus finished = last("jfk-seconds-5-to-9");
        assertThat(finished.state).isEqualTo(JobState.Finished);
        assertThat(finished.mediaSeconds).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
        assertWellFormed(finished, 5.0, 9.0);
        assertThat(text(finished.segments).toLowerCase(Locale.ROOT)).contains("country");
    }

    @Test
    void sentenceMaxLengthSplitsSegmentsAndWordsCarryTheirTimes() {
        JobStatus finished = last("jfk-four-words-with-timings");
        assertThat(finished.state).isEqualTo(JobState.Finished);
        assertThat(finished.segments.length).isGreaterThanOrEqualTo(5);
        for (Segment s : finished.segments) {
            assertThat(s.words).as("%s", s).hasSizeBetween(1, 4);
            assertThat(s.content.split(" ")).hasSize(s.words.length);
            for (Word w : s.words) {
                assertThat(w.start).isBetween(s.from, s.to);
                assertThat(w.end).isGreaterThan(w.start);
                assertThat(w.conf).isBetween(0.0, 1.0);
            }
        }
    }

    @Test
    void aLongInputIsCutIntoChunksOnBothSubtasksAndShowsItsProgress() {
        List<JobStatus> job = states.get("long");
        assertThat(distinct(job)).containsExactly(JobState.Executing, JobState.Finished);
        List<Integer> done = job.stream().filter(s -> s.state == JobState.Executing).map(s -> s.chunksDone).toList();
        assertThat(done).as("chunks done, as the states show them").isSorted().startsWith(0).hasSizeGreaterThan(2);

        JobStatus finished = last("long");
        int chunks = finished.chunks.length;
        assertThat(chunks).as("%.0f s in chunks of 6-12 s", longInput.seconds()).isBetween((int) (longInput.seconds() / 12), (int) Math.ceil(longInput.seconds() / 6));
        assertThat(finished.chunksDone).isEqualTo(finished.chunksTotal).isEqualTo(chunks);
        assertThat(Arrays.stream(finished.chunks).map(c -> c.seq)).containsExactlyElementsOf(IntStream.range(0, chunks).boxed().toList());
        Set<Integer> subtasks = new TreeSet<>();
        for (ChunkInfo c : finished.chunks) {
            subtasks.add(c.subtask);
        }
        assertThat(subtasks).as("recognition subtasks that decoded chunks").containsExactly(0, 1);
        assertWellFormed(finished, 0, longInput.seconds());
        double wer = WordErrorRate.of(longInput.transcript(), text(finished.segments));
        System.out.printf(Locale.ROOT, "AsrPipelineITCase: long input %.0f s, %d chunks, WER %.1f%%%n", longInput.seconds(), chunks, 100 * wer);
        assertThat(wer).as("no words lost at the cuts").isLessThanOrEqualTo(0.10);
    }
}
