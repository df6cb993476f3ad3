package io.flinkasr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.ApiClient;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import io.flinkasr.records.Json;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a new user meets it, each command in its own JVM on the real stack (embedded
 * Kafka, Flink MiniCluster, Vosk, ffmpeg): a second {@code local} on a folder in use refuses in one line
 * while the first keeps working; {@code transcribe} takes paths from the folder it is run in, a folder of
 * media, prints one JSON document for the run, and leaves no temporary folder, Ctrl-C included.
 */
class CommandLineITCase {
    private static final Duration STARTS_AND_TRANSCRIBES = Duration.ofMinutes(5);

    @TempDir Path tmp;

    private Path sample(Path folder, String name) throws Exception {
        Files.createDirectories(folder);
        try (InputStream in = CommandLineITCase.class.getResourceAsStream("/samples/jfk.ogg")) {
            Files.copy(in, folder.resolve(name));
        }
        return folder.resolve(name);
    }

    private static List<Path> transcribeFolders(Path tmpDir) throws Exception {
        try (Stream<Path> files = Files.list(tmpDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("flink-asr-transcribe")).toList();
        }
    }

    @Test
    void aSecondLocalOnAFolderInUseRefusesInOneLineAndTheFirstKeepsWorking() throws Exception {
        Path media = tmp.resolve("media");
        Path clip = sample(media, "jfk.ogg");
        Path data = tmp.resolve("data");
        try (LocalStack first = LocalStack.start(TestStacks.asUsersRunIt(media), data, 0, null)) {
            try (FlinkAsrProcess second = FlinkAsrProcess.start(tmp, tmp.resolve("tmp-second"),
                    "local", "--data-dir", data.toString(), "--api-port", "0", "--media-root", media.toString())) {
                assertThat(second.exitCode(Duration.ofMinutes(2))).isEqualTo(CommandException.UNAVAILABLE);
                assertThat(second.stderr().lines().toList()).containsExactly("flink-asr local: the data folder " + data
                        + " is in use by another flink-asr (process " + ProcessHandle.current().pid()
                        + "); stop that one first, or choose another folder with --data-dir");
                assertThat(second.stdout()).doesNotContain("ready");
            }

            ApiClient api = new ApiClient(first.apiUrl(), first.accessKey());
            String jobId = api.call("SubmitASRJob", Map.of("InputFile", clip.toString())).path("JobId").asText();
            JsonNode job;
            long deadline = System.nanoTime() + STARTS_AND_TRANSCRIBES.toNanos();
            do {
                Thread.sleep(200);
                job = api.call("GetSmartHandleJob", Map.of("JobId", jobId));
            } while (!job.path("State").asText().matches("Finished|Failed") && System.nanoTime() < deadline);
            assertThat(job.path("State").asText()).as("%s", job).isEqualTo("Finished");
            assertThat(job.path("JobResult").path("AiResult").asText()).contains("country");

            // the subtitle layout and word timestamps as GetSmartHandleJob parameters
            String vtt = api.call("GetSmartHandleJob", Map.of("JobId", jobId, "OutputFormat", "vtt", "WordTimestamps", "true",
                    "MaxLineWidth", "20", "MaxLineCount", "1")).path("FormattedOutput").asText();
            List<String> cueText = vtt.lines().filter(l -> !l.isEmpty() && !l.equals("WEBVTT") && !l.contains(" --> ")).toList();
            assertThat(cueText).as(vtt).isNotEmpty().allSatisfy(line -> {
                assertThat(line.replaceAll("<[0-9:.]+>", "").length()).isLessThanOrEqualTo(20);
            });
            assertThat(vtt.split("\n\n")).as("one line a cue").allSatisfy(cue -> assertThat(cue.lines().count()).isLessThanOrEqualTo(2));
            assertThat(vtt).containsPattern("\\w <\\d\\d:\\d\\d:\\d\\d\\.\\d{3}>\\w");
            ApiClient.Answer tooNarrow = api.send("GetSmartHandleJob", Map.of("JobId", jobId, "OutputFormat", "srt", "MaxLineWidth", "5"));
            assertThat(tooNarrow.status()).isEqualTo(400);
            assertThat(tooNarrow.body().path("Message").asText()).contains("MaxLineWidth", "from 10 to 200");
        }
    }

    @Test
    void transcribeReadsPathsFromItsFolderAndPrintsOneJsonDocument() throws Exception {
        Path work = tmp.resolve("work");
        sample(work.resolve("talks"), "jfk.ogg");
        sample(work.resolve("talks"), "again.ogg");
        Files.writeString(work.resolve("talks").resolve("notes.txt"), "not media");
        Path tmpDir = tmp.resolve("tmp-transcribe");

        try (FlinkAsrProcess transcribe = FlinkAsrProcess.start(work, tmpDir,
                "transcribe", "talks", "--format", "json", "--word-timestamps")) {
            assertThat(transcribe.exitCode(STARTS_AND_TRANSCRIBES)).as(transcribe.stderr()).isZero();

            JsonNode run = Json.MAPPER.readTree(transcribe.stdout());
            assertThat(run.isArray()).as(transcribe.stdout()).isTrue();
            assertThat(run).extracting(r -> r.path("file").asText()).containsExactly("talks/again.ogg", "talks/jfk.ogg");
            for (JsonNode result : run) {
                assertThat(result.path("state").asText()).isEqualTo("Finished");
                assertThat(result.path("segments").toString()).contains("country");
                assertThat(result.path("segments").get(0).path("words").get(0).has("start")).as("word timestamps").isTrue();
            }
        }
        assertThat(transcribeFolders(tmpDir)).as("the private stack's folder is removed").isEmpty();
    }

    @Test
    void ctrlCDuringTranscribeLeavesNoTemporaryFolder() throws Exception {
        Path work = tmp.resolve("work");
        sample(work, "jfk.ogg");
        Path tmpDir = tmp.resolve("tmp-interrupted");

        try (FlinkAsrProcess transcribe = FlinkAsrProcess.start(work, tmpDir, "transcribe", "jfk.ogg")) {
            // the progress bar names the file once the stack runs and the job is submitted
            assertThat(transcribe.awaitStderr("jfk.ogg", STARTS_AND_TRANSCRIBES)).as(transcribe.stderr()).isTrue();
            assertThat(transcribeFolders(tmpDir)).hasSize(1);

            transcribe.interrupt();

            assertThat(transcribe.exitCode(Duration.ofMinutes(2))).as(transcribe.stderr()).isEqualTo(130);
            assertThat(transcribe.stderr()).as("Ctrl-C is not an error").doesNotContain("Exception", "ERROR");
        }
        assertThat(transcribeFolders(tmpDir)).as("the private stack's folder is removed").isEmpty();
        try (var left = Files.list(tmpDir)) {
            assertThat(left.toList()).as("nothing else of the stack (Flink's working and upload folders, staged audio)").isEmpty();
        }
    }
}
