package io.flinkasr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.testing.FreePorts;
import io.flinkasr.local.DataFolderLock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every mistake a new user makes on the command line gets one line on stderr, naming what to change, and
 * a non-zero exit; none starts a stack. Run through picocli as {@code flink-asr} runs, output captured.
 */
class CommandLineErrorsTest {
    @TempDir Path dir;

    /** What a run printed and returned. */
    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FlinkAsr.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aMissingFileIsNamedAsTypedAndWhereThatIs() {
        Run run = run("transcribe", "no-such-clip.mp4");

        assertThat(run.exit()).isEqualTo(CommandException.BAD_INPUT);
        assertThat(run.errLines()).containsExactly("flink-asr transcribe: No such file: no-such-clip.mp4 ("
                + Path.of("no-such-clip.mp4").toAbsolutePath() + ")");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aFolderWithoutMediaIsToldApart() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "not media");

        Run run = run("transcribe", dir.toString());

        assertThat(run.exit()).isEqualTo(CommandException.BAD_INPUT);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("flink-asr transcribe: No media files in the folder " + dir)
                .contains("mp3", "wav", "mp4");
    }

    @Test
    void aFolderGivesItsMediaFilesSortedByName() throws Exception {
        Files.writeString(dir.resolve("b.mp3"), "");
        Files.writeString(dir.resolve("a.WAV"), "");
        Files.writeString(dir.resolve("notes.txt"), "");
        Files.writeString(dir.resolve(".hidden.mp3"), "");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub").resolve("c.mp3"), "");

        List<MediaInputs.Input> inputs = MediaInputs.of(List.of(dir.toString()));

        assertThat(inputs).extracting(MediaInputs.Input::shown)
                .containsExactly(dir.resolve("a.WAV").toString(), dir.resolve("b.mp3").toString());
    }

    @Test
    void outputFilesAreNamedByStemAndNeverShared() throws Exception {
        Files.writeString(dir.resolve("clip.mp4"), "");
        Files.writeString(dir.resolve("talk.ogg"), "");
        Files.writeString(dir.resolve("clip.wav"), "");
        Path out = dir.resolve("subs");

        var inputs = MediaInputs.of(List.of(dir.resolve("clip.mp4").toString(), dir.resolve("talk.ogg").toString()));
        assertThat(MediaInputs.outputs(inputs, out, "vtt").values())
                .containsExactlyInAnyOrder(out.resolve("clip.vtt"), out.resolve("talk.vtt"));

        Run run = run("transcribe", dir.resolve("clip.mp4").toString(), dir.resolve("clip.wav").toString(),
                "--format", "srt", "--output-dir", out.toString());
        assertThat(run.exit()).isEqualTo(CommandException.BAD_INPUT);
        assertThat(run.errLines()).singleElement().asString()
                .contains("clip.mp4 and ", "clip.wav would both be written to " + out.resolve("clip.srt"));
        assertThat(out).doesNotExist();
    }

    @Test
    void subtitleSettingsOutsideTheirLimitsAreOneLine() {
        assertThat(run("transcribe", "x.mp4", "--max-line-width", "3").errLines()).singleElement().asString()
                .contains("line width must be from 10 to 200");
        assertThat(run("transcribe", "x.mp4", "--max-line-count", "0").errLines()).singleElement().asString()
                .contains("line count must be from 1 to 10");
        assertThat(run("transcribe", "x.mp4", "--max-segment-words", "2").errLines()).singleElement().asString()
                .contains("--max-segment-words must be from 4 to 50");
    }

    @Test
    void aBusyApiPortNamesTheOptionThatMovesIt() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();

            Run local = run("local", "--data-dir", dir.resolve("data").toString(), "--api-port", String.valueOf(port));
            assertThat(local.exit()).isEqualTo(CommandException.UNAVAILABLE);
            assertThat(local.errLines()).containsExactly(
                    "flink-asr local: port " + port + " is in use; choose another with --api-port (0 picks a free one)");
            assertThat(dir.resolve("data").resolve("kafka")).as("nothing started").doesNotExist();

            Path users = Files.writeString(dir.resolve("users.json"), "[{\"userId\": 1, \"accessKeyId\": \"k\", \"accessKeySecret\": \"s\"}]");
            Run api = run("api", "--users", users.toString(), "--port", String.valueOf(port), "--bootstrap-servers", "127.0.0.1:1");
            assertThat(api.exit()).isEqualTo(CommandException.UNAVAILABLE);
            assertThat(api.errLines()).containsExactly(
                    "flink-asr api: port " + port + " is in use; choose another with --port (0 picks a free one)");
        }
    }

    @Test
    void kafkaOutOfReachIsToldInSeconds() throws Exception {
        int closed = FreePorts.one(); // nothing listens there
        String brokers = "127.0.0.1:" + closed;

        Run job = run("job", "--bootstrap-servers", brokers);
        assertThat(job.exit()).isEqualTo(CommandException.UNAVAILABLE);
        assertThat(job.errLines()).containsExactly("flink-asr job: no Kafka broker answered at " + brokers
                + " within 10 s; is it running? Name the brokers with --bootstrap-servers HOST:PORT");

        Path users = Files.writeString(dir.resolve("users.json"), "[{\"userId\": 1, \"accessKeyId\": \"k\", \"accessKeySecret\": \"s\"}]");
        Run api = run("api", "--users", users.toString(), "--port", "0", "--bootstrap-servers", brokers);
        assertThat(api.exit()).isEqualTo(CommandException.UNAVAILABLE);
        assertThat(api.errLines()).singleElement().asString().startsWith("flink-asr api: no Kafka broker answered at " + brokers);
    }

    @Test
    void aDataFolderInUseIsRefusedBeforeAnythingStarts() throws Exception {
        Path data = dir.resolve("data");
        try (DataFolderLock held = DataFolderLock.acquire(data)) {
            Run local = run("local", "--data-dir", data.toString(), "--api-port", "0");

            assertThat(local.exit()).isEqualTo(CommandException.UNAVAILABLE);
            assertThat(local.errLines()).containsExactly("flink-asr local: the data folder " + data.toAbsolutePath()
                    + " is in use by another flink-asr (process " + ProcessHandle.current().pid()
                    + "); stop that one first, or choose another folder with --data-dir");
            assertThat(data.resolve("kafka")).doesNotExist();
        }
        try (DataFolderLock again = DataFolderLock.acquire(data)) {
            assertThat(again).as("released by close").isNotNull();
        }
    }
}
