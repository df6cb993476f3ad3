package io.flinkasr.recognition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flinkasr.media.AudioDecoder;
import io.flinkasr.pipeline.SpeechSet;
import io.flinkasr.records.Segment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real model on a real recording: times stay relative to each call's audio, also when reused. */
class VoskRecognizerTest {
    private static final String MODEL = System.getProperty("flinkasr.model.path");

    @Test
    void aReusedRecognizerGivesTimesRelativeToEachCall() throws Exception {
        byte[] pcm = new AudioDecoder("ffmpeg", Duration.ofMinutes(1)).decode(SpeechSet.file("jfk.flac"), 0, 60);
        double seconds = pcm.length / (double) AudioDecoder.BYTES_PER_SECOND;

        try (VoskRecognizer fresh = new VoskRecognizer(MODEL, 16000f, RecognizerMode.FRESH);
                VoskRecognizer reused = new VoskRecognizer(MODEL, 16000f, RecognizerMode.REUSED)) {
            List<Segment> expected = fresh.recognize(pcm);
            for (int call = 0; call < 3; call++) {
                List<Segment> got = reused.recognize(pcm);
                assertThat(got).hasSameSizeAs(expected);
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i).from).as("call %d", call).isCloseTo(expected.get(i).from, within(0.1));
                    assertThat(got.get(i).to).isCloseTo(expected.get(i).to, within(0.1));
                    assertThat(got.get(i).to).isLessThanOrEqualTo(seconds);
                }
            }
            assertThat(String.join(" ", expected.stream().map(s -> s.content).toList())).contains("your country");
        }
    }
}
