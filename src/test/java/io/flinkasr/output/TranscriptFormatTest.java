package io.flinkasr.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.records.Segment;
import org.junit.jupiter.api.Test;

class TranscriptFormatTest {
    private static final Segment[] SEGMENTS = {
        new Segment("Ask not", 0.3, 2.31, null), new Segment("What your country can do", 3661.27, 3664.44, null)
    };

    @Test
    void text() {
        assertThat(TranscriptFormat.text.render(SEGMENTS)).isEqualTo("Ask not What your country can do");
    }

    @Test
    void srt() {
        assertThat(TranscriptFormat.srt.render(SEGMENTS)).isEqualTo(
                "1\n00:00:00,300 --> 00:00:02,310\nAsk not\n\n2\n01:01:01,270 --> 01:01:04,440\nWhat your country can do\n\n");
    }

    @Test
    void vtt() {
        assertThat(TranscriptFormat.vtt.render(SEGMENTS)).startsWith("WEBVTT\n\n00:00:00.300 --> 00:00:02.310\nAsk not\n\n");
    }

    @Test
    void jsonIsTheAiResultShape() {
        assertThat(TranscriptFormat.json.render(SEGMENTS)).startsWith("[{\"content\":\"Ask not\",\"from\":0.3,\"to\":2.31}");
    }
}
