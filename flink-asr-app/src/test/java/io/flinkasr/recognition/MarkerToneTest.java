package io.flinkasr.recognition;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.pipeline.SpeechSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The marker tone, made and decoded by real ffmpeg, against real speech. */
class MarkerToneTest {

    @Test
    void theToneIsFound() throws Exception {
        assertThat(MarkerTone.startsWith(pcm("-f", "lavfi", "-i", MarkerTone.ffmpegSource(1)))).isTrue();
    }

    @Test
    void theToneBeforeSpeechIsFound() throws Exception {
        assertThat(MarkerTone.startsWith(pcm("-f", "lavfi", "-i", MarkerTone.ffmpegSource(1), "-i", SpeechSet.file("jfk.flac").toString(),
                "-filter_complex", "[1:a]aformat=sample_rates=16000:channel_layouts=mono[s];[0:a][s]concat=n=2:v=0:a=1"))).isTrue();
    }

    @Test
    void speechIsNotTheTone() throws Exception {
        for (String recording : List.of("jfk.flac", "OSR_us_000_0034_8k.wav", "2412-153948-0000.flac", "test_audio_0.flac")) {
            assertThat(MarkerTone.startsWith(pcm("-i", SpeechSet.file(recording).toString()))).as(recording).isFalse();
        }
    }

    @Test
    void aQuietToneOtherTonesSilenceAndShortAudioAreNotTheTone() throws Exception {
        assertThat(MarkerTone.startsWith(pcm("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=16000:duration=1")))
                .as("ffmpeg's sine at its own level, -18 dBFS").isFalse();
        assertThat(MarkerTone.startsWith(pcm("-f", "lavfi", "-i", "sine=frequency=1500:sample_rate=16000:duration=1,volume=6")))
                .as("1.5 kHz").isFalse();
        assertThat(MarkerTone.startsWith(pcm("-f", "lavfi", "-i", "anoisesrc=sample_rate=16000:duration=1:amplitude=0.8")))
                .as("loud white noise").isFalse();
        assertThat(MarkerTone.startsWith(new byte[2 * 16000]))
                .as("silence").isFalse();
        assertThat(MarkerTone.startsWith(pcm("-f", "lavfi", "-i", MarkerTone.ffmpegSource(0.25))))
                .as("a quarter of a second of the tone").isFalse();
    }

    /** What ffmpeg makes of the inputs as 16 kHz mono 16-bit PCM. */
    private static byte[] pcm(String... input) throws Exception {
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error"));
        command.addAll(List.of(input));
        command.addAll(List.of("-ac", "1", "-ar", "16000", "-f", "s16le", "-"));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] pcm = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
        return pcm;
    }
}
