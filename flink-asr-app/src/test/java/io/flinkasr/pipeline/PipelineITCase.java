package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.AccessKey;
import io.flinkasr.api.AccessKeys;
import io.flinkasr.api.ApiServer;
import io.flinkasr.api.Catalog;
import io.flinkasr.api.ApiClient;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import io.flinkasr.media.AudioDecoder;
import io.flinkasr.recognition.VoskRecognizer;
import io.flinkasr.records.Segment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on real parts: an embedded KRaft broker, the Flink job on a MiniCluster at
 * parallelism 2, the real Vosk model and real ffmpeg, driven through the HTTP API with the real
 * recordings of ../shared/speech. Accuracy is compared with Vosk decoding each file whole, computed here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineITCase {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(6);
    private static final AccessKey KEY_A = new AccessKey(1001, "key-a", "secret-a");
    private static final AccessKey KEY_B = new AccessKey(2002, "key-b", "secret-b");

    @TempDir static Path tmp;
    private LocalStack stack;
    private AsrApi api;
    private Path media;
    private final AudioDecoder decoder = new AudioDecoder("ffmpeg", Duration.ofMinutes(2));

    @BeforeAll
    void startStack() throws Exception {
        media = Files.createDirectories(tmp.resolve("media"));
        Path users = tmp.resolve("users.json");
        Files.writeString(users, "[{\"userId\": 1001, \"accessKeyId\": \"key-a\", \"accessKeySecret\": \"secret-a\"},"
                + " {\"userId\": 2002, \"accessKeyId\": \"key-b\", \"accessKeySecret\": \"secret-b\"}]");
        Configuration config = TestStacks.atParallelismTwo(SpeechSet.dir(), media);
        // short chunks, so that a three-minute input becomes many chunks spread over both subtasks
        config.set(AsrOptions.CHUNK_MIN_SECONDS, 6.0);
        config.set(AsrOptions.CHUNK_MAX_SECONDS, 12.0);
        config.set(AsrOptions.CHUNK_LONGEST_SECONDS, 12.0);
        stack = LocalStack.start(config, tmp.resolve("data"), 0, users);
        api = new AsrApi(stack.apiUrl());
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    private String wholeFileVosk(Path file) throws Exception {
        byte[] pcm = decoder.decode(file, 0, 24 * 3600);
        try (VoskRecognizer vosk = new VoskRecognizer(System.getProperty("flinkasr.model.path"), 16000f)) {
            return AsrApi.text(vosk.recognize(pcm).toArray(new Segment[0]));
        }
    }

    private static void assertWellFormed(Segment[] segments, double mediaSeconds) {
        assertThat(segments).isNotEmpty();
        double previousEnd = 0;
        for (Segment s : segments) {
            assertThat(s.content).isNotBlank();
            assertThat(Character.isUpperCase(s.content.charAt(0))).as("capitalised: %s", s.content).isTrue();
            assertThat(s.from).as("ordered and not overlapping: %s", s).isGreaterThanOrEqualTo(previousEnd);
            assertThat(s.to).isGreaterThan(s.from);
            assertThat(s.to).as("inside the media: %s", s).isLessThanOrEqualTo(mediaSeconds + 0.05);
            previousEnd = s.to;
        }
    }

    @Test
    void everyRecordingFinishesAsAccurateAsVoskOnTheWholeFile() throws Exception {
        List<SpeechSet.Recording> recordings = SpeechSet.load();
        Map<SpeechSet.Recording, String> jobs = new LinkedHashMap<>();
        for (SpeechSet.Recording r : recordings) {
            jobs.put(r, api.submit(r.file().toString(), "Title", r.file().getFileName().toString(),
                    "UserData", "{\"file\":\"" + r.file().getFileName() + "\"}"));
        }
        int refWords = 0;
        int ourErrors = 0;
        int voskErrors = 0;
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-48s %8s %8s%n", "file", "ours", "whole"));
        for (Map.Entry<SpeechSet.Recording, String> e : jobs.entrySet()) {
            SpeechSet.Recording r = e.getKey();
            JsonNode job = api.await(e.getValue(), JOB_TIMEOUT);
            assertThat(job.path("State").asText()).as("%s: %s", r.file(), job).isEqualTo("Finished");
            assertThat(job.path("UserData").asText()).contains(r.file().getFileName().toString());
            assertThat(job.path("SmartJobInfo").path("JobType").asText()).isEqualTo("ASR");
            assertThat(job.path("Output").asText()).isEqualTo(job.path("JobResult").path("AiResult").asText());
            Segment[] segments = AsrApi.segments(job);
            assertWellFormed(segments, r.seconds());

            String ours = AsrApi.text(segments);
            String whole = wholeFileVosk(r.file());
            int n = WordErrorRate.words(r.transcript()).length;
            int oursErr = WordErrorRate.errors(r.transcript(), ours);
            int wholeErr = WordErrorRate.errors(r.transcript(), whole);
            refWords += n;
            ourErrors += oursErr;
            voskErrors += wholeErr;
            table.append(String.format(Locale.ROOT, "%-48s %7.1f%% %7.1f%%%n",
                    r.file().getFileName(), 100.0 * oursErr / n, 100.0 * wholeErr / n));
        }
        double ourWer = (double) ourErrors / refWords;
        double voskWer = (double) voskErrors / refWords;
        table.append(String.format(Locale.ROOT, "%-48s %7.1f%% %7.1f%%%n", "total (" + refWords + " words)", 100 * ourWer, 100 * voskWer));
        System.out.print(table);
        assertThat(ourWer).as("word error rate of flink-asr vs whole-file Vosk%n%s", table).isLessThanOrEqualTo(voskWer + 0.03);
    }

    @Test
    void aLongInputIsCutIntoChunksRecognisedOnBothSubtasksWithoutLosingWords() throws Exception {
        Media.Joined joined = Media.joined(SpeechSet.load(), 2, 1.5, tmp, media.resolve("long.flac"));
        Path longFile = joined.file();
        double seconds = joined.seconds();
        String reference = joined.transcript();

        JsonNode job = api.await(api.submit(longFile.toString()), JOB_TIMEOUT);

        assertThat(job.path("State").asText()).as("%s", job).isEqualTo("Finished");
        Segment[] segments = AsrApi.segments(job);
        assertWellFormed(segments, seconds);
        Set<Integer> subtasks = new TreeSet<>();
        job.path("Chunks").forEach(c -> subtasks.add(c.path("Subtask").asInt()));
        assertThat(job.path("Chunks").size()).isGreaterThanOrEqualTo(10);
        assertThat(subtasks).as("recognition subtasks that decoded chunks").containsExactly(0, 1);

        double ours = WordErrorRate.of(reference, AsrApi.text(segments));
        double whole = WordErrorRate.of(reference, wholeFileVosk(longFile));
        System.out.printf(Locale.ROOT, "long input (%.0f s, %d chunks): WER ours %.1f%%, whole-file Vosk %.1f%%%n",
                seconds, job.path("Chunks").size(), 100 * ours, 100 * whole);
        assertThat(ours).as("no words lost at the cuts").isLessThanOrEqualTo(whole + 0.02);
    }

    @Test
    void aWordInAnHourLongMp3ComesBackAtItsTime() throws Exception {
        // one hour of silence with the JFK recording at three known places, as an MP3 (seeking in MP3 is inexact)
        Path jfk = SpeechSet.file("jfk.flac");
        double[] at = {30.0, 1800.5, 3540.25};
        Path hour = media.resolve("hour.mp3");
        Media.run("ffmpeg", "-v", "error", "-y", "-i", jfk.toString(), "-i", jfk.toString(), "-i", jfk.toString(),
                "-f", "lavfi", "-t", "3600", "-i", "anullsrc=r=16000:cl=mono",
                "-filter_complex", "[0:a]aresample=16000,pan=mono|c0=c0,adelay=30000:all=1[a];"
                        + "[1:a]aresample=16000,pan=mono|c0=c0,adelay=1800500:all=1[b];"
                        + "[2:a]aresample=16000,pan=mono|c0=c0,adelay=3540250:all=1[c];"
                        + "[3:a][a][b][c]amix=inputs=4:duration=first:normalize=0[out]",
                "-map", "[out]", "-c:a", "libmp3lame", "-b:a", "48k", hour.toString());
        // where "country" is said in the recording itself
        double inClip = -1;
        try (VoskRecognizer vosk = new VoskRecognizer(System.getProperty("flinkasr.model.path"), 16000f)) {
            for (Segment s : vosk.recognize(decoder.decode(jfk, 0, 60))) {
                for (io.flinkasr.records.Word w : s.words) {
                    if (inClip < 0 && w.word.equals("country")) {
                        inClip = w.start;
                    }
                }
            }
        }
        assertThat(inClip).isPositive();

        JsonNode job = api.await(api.submit(hour.toString(), "JobParameters", "{\"request_params\":\"&enable_word_level_result=true\"}"),
                JOB_TIMEOUT);

        assertThat(job.path("State").asText()).as("%s", job.path("ErrorMessage")).isEqualTo("Finished");
        List<Double> found = new ArrayList<>();
        for (Segment s : AsrApi.segments(job)) {
            for (io.flinkasr.records.Word w : s.words) {
                if (w.word.equals("country") && (found.isEmpty() || w.start - found.get(found.size() - 1) > 60)) {
                    found.add(w.start);
                }
            }
        }
        assertThat(found).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(found.get(i)).as("\"country\" of copy %d", i).isCloseTo(at[i] + inClip, org.assertj.core.data.Offset.offset(0.1));
        }
        System.out.printf(Locale.ROOT, "hour-long mp3: \"country\" expected at %.3f/%.3f/%.3f s, found %s (%d chunks)%n",
                at[0] + inClip, at[1] + inClip, at[2] + inClip, found, job.path("Chunks").size());
    }

    @Test
    void badInputsFailWithTheirCodeWhileAGoodJobBesideThemFinishes() throws Exception {
        Path text = Files.writeString(media.resolve("notes.mp3"), "not audio at all");
        Path empty = Files.createFile(media.resolve("empty.wav"));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(api.submit(media.resolve("missing.wav").toString()), "InputFile.NotFound");
        expected.put(api.submit(text.toString()), "Media.Unsupported");
        expected.put(api.submit(empty.toString()), "Media.Unsupported");
        expected.put(api.submit("/etc/passwd"), "InputFile.AccessDenied");
        expected.put(api.submit(SpeechSet.file("jfk.flac").toString(), "StartTime", "00:05:00"), "InvalidParameter.StartTime");
        String good = api.submit(SpeechSet.file("jfk.flac").toString(), "StartTime", "00:00:05", "Duration", "00:00:04");

        for (Map.Entry<String, String> e : expected.entrySet()) {
            JsonNode job = api.await(e.getKey(), JOB_TIMEOUT);
            assertThat(job.path("State").asText()).isEqualTo("Failed");
            assertThat(job.path("ErrorCode").asText()).as("%s", job).isEqualTo(e.getValue());
            assertThat(job.path("ErrorMessage").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("/");
        }
        JsonNode finished = api.await(good, JOB_TIMEOUT);
        assertThat(finished.path("State").asText()).isEqualTo("Finished");
        Segment[] segments = AsrApi.segments(finished);
        // StartTime 5 s, Duration 4 s: times stay absolute in the source media
        assertThat(segments[0].from).isGreaterThanOrEqualTo(5.0);
        assertThat(segments[segments.length - 1].to).isLessThanOrEqualTo(9.05);
        assertThat(AsrApi.text(segments).toLowerCase(Locale.ROOT)).contains("country");
        assertThat(finished.path("SmartJobInfo").path("InputConfig").path("JobParameters").asText())
                .isEqualTo("{\"duration\":\"00:00:04\",\"start_time\":\"00:00:05\"}");
    }

    @Test
    void theApiAnswersLikeIceAndKeepsTenantsApart() throws Exception {
        AsrApi a = new AsrApi(stack.apiUrl(), KEY_A);
        AsrApi b = new AsrApi(stack.apiUrl(), KEY_B);
        ApiClient.Answer unknown = a.call("DescribeNothing");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("Code").asText()).isEqualTo("InvalidAction.NotFound");
        assertThat(unknown.body().has("RequestId")).isTrue();
        assertThat(unknown.body().has("HostId")).isTrue();

        ApiClient.Answer missing = a.call("SubmitASRJob", "Title", "no input");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().path("Code").asText()).isEqualTo("MissingParameter");

        ApiClient.Answer longTitle = a.call("SubmitASRJob", "InputFile", "/x.wav", "Title", "x".repeat(129));
        assertThat(longTitle.body().path("Code").asText()).isEqualTo("InvalidParameter");

        String jobId = a.submit(SpeechSet.file("test_audio_1.flac").toString());
        ApiClient.Answer created = a.call("GetSmartHandleJob", "JobId", jobId);
        assertThat(created.body().path("JobId").asText()).isEqualTo(jobId);
        assertThat(created.body().path("SmartJobInfo").path("UserId").asLong()).isEqualTo(1001);
        assertThat(created.body().path("SmartJobInfo").path("Title").asText()).startsWith("default_title_");

        ApiClient.Answer other = b.call("GetSmartHandleJob", "JobId", jobId);
        ApiClient.Answer none = b.call("GetSmartHandleJob", "JobId", "0123456789abcdef0123456789abcdef");
        assertThat(other.status()).isEqualTo(none.status()).isEqualTo(404);
        assertThat(other.body().path("Code").asText()).isEqualTo(none.body().path("Code").asText());
        JsonNode listB = b.call("ListSmartJobs").body();
        assertThat(listB.path("SmartJobList").findValuesAsText("JobId")).doesNotContain(jobId);
        JsonNode listA = a.call("ListSmartJobs").body();
        assertThat(listA.path("SmartJobList").findValuesAsText("JobId")).contains(jobId);

        // unsigned requests from this machine speak for the first key only
        ApiClient.Answer unsignedAsB = api.call("GetSmartHandleJob", "JobId", jobId, "AccessKeyId", "key-b");
        assertThat(unsignedAsB.body().path("Code").asText()).isEqualTo("MissingParameter");
        ApiClient.Answer badKey = new AsrApi(stack.apiUrl(), new AccessKey(1, "nobody", "x")).call("GetSmartHandleJob", "JobId", jobId);
        assertThat(badKey.body().path("Code").asText()).isEqualTo("InvalidAccessKeyId.NotFound");
    }

    @Test
    void prometheusCountsRequestsByActionAndCodeAndJobsByState() throws Exception {
        JsonNode finished = api.await(api.submit(SpeechSet.file("test_audio_1.flac").toString()), JOB_TIMEOUT);
        assertThat(finished.path("State").asText()).isEqualTo("Finished");
        assertThat(api.call("SubmitASRJob", "Title", "no input").body().path("Code").asText()).isEqualTo("MissingParameter");

        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + "metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("flinkasr_api_requests_total\\{action=\"SubmitASRJob\",code=\"OK\"} [1-9]")
                .containsPattern("flinkasr_api_requests_total\\{action=\"SubmitASRJob\",code=\"MissingParameter\"} [1-9]")
                .containsPattern("flinkasr_jobs\\{state=\"Finished\"} [1-9]")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void aRestartedApiStillKnowsEveryJob() throws Exception {
        String jobId = api.submit(SpeechSet.file("test_audio_0.flac").toString());
        JsonNode finished = api.await(jobId, JOB_TIMEOUT);
        assertThat(finished.path("State").asText()).isEqualTo("Finished");

        AccessKeys keys = new AccessKeys(List.of(KEY_A));
        Configuration config = new Configuration();
        config.set(AsrOptions.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        try (Catalog table = new Catalog(config);
                ApiServer second = new ApiServer(config, table, keys).start("127.0.0.1", 0)) {
            assertThat(table.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            JsonNode again = new AsrApi("http://127.0.0.1:" + second.port() + "/", KEY_A).call("GetSmartHandleJob", "JobId", jobId).body();
            assertThat(again.path("State").asText()).isEqualTo("Finished");
            assertThat(again.path("JobResult").path("AiResult").asText()).isEqualTo(finished.path("JobResult").path("AiResult").asText());
        }
    }
}
