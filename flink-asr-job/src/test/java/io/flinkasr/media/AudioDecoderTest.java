package io.flinkasr.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's first window, decoded by ffmpeg together with what ffprobe used to say: the duration, or why not. */
class AudioDecoderTest {
    @TempDir Path dir;

    private final AudioDecoder decoder = new AudioDecoder("ffmpeg", Duration.ofSeconds(60));

    @Test
    void theFirstWindowComesWithTheMediasDurationAndTheSameSamplesAsAWindowDecodedAlone() throws Exception {
        Path media = ffmpeg("tone.ogg", "-f", "lavfi", "-i", "sine=frequency=440:duration=7.5", "-c:a", "libopus");

        AudioDecoder.Opened opened = decoder.open(media, 0, 40);

        assertThat(opened.durationSeconds()).isCloseTo(7.5, org.assertj.core.data.Offset.offset(0.02));
        assertThat(opened.pcm()).hasSize(7 * AudioDecoder.BYTES_PER_SECOND + AudioDecoder.BYTES_PER_SECOND / 2)
                .isEqualTo(decoder.decode(media, 0, 40));
        assertThat(decoder.open(media, 5, 40).pcm()).as("from an offset").isEqualTo(decoder.decode(media, 5, 40));
    }

    @Test
    void whatIsNoMediaOrHasNoAudioOrDoesNotDecodeFailsWithItsCode() throws Exception {
        Path text = Files.writeString(dir.resolve("readme.mp3"), "This is a text file with an .mp3 name.\n".repeat(50));
        Path empty = Files.createFile(dir.resolve("zero.wav"));
        Path video = ffmpeg("no-audio.mp4", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2",
                "-c:v", "libx264", "-pix_fmt", "yuv420p");
        byte[] noise = new byte[200_000];
        new java.util.Random(7).nextBytes(noise);
        Path random = Files.write(dir.resolve("random.mp3"), noise);

        assertThatThrownBy(() -> decoder.open(text, 0, 40)).hasFieldOrPropertyWithValue("code", "Media.Unsupported");
        assertThatThrownBy(() -> decoder.open(empty, 0, 40)).hasFieldOrPropertyWithValue("code", "Media.Unsupported");
        assertThatThrownBy(() -> decoder.open(video, 0, 40)).hasFieldOrPropertyWithValue("code", "Media.NoAudioStream");
        assertThatThrownBy(() -> decoder.open(random, 0, 40)).as("MP3 frame headers found in noise")
                .hasFieldOrPropertyWithValue("code", "Media.Corrupt");
    }

    private Path ffmpeg(String name, String... args) throws Exception {
        Path out = dir.resolve(name);
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("ffmpeg", "-v", "error", "-y"));
        command.addAll(java.util.List.of(args));
        command.add(out.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
        return out;
    }
}
