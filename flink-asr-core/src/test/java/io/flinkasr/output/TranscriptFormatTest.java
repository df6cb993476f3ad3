package io.flinkasr.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
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

    private static final Segment[] WITH_WORDS = {
        new Segment("Fish & chips <b>", 1.0, 2.5, new Word[] {
            new Word("fish", 1.0, 1.4, 1), new Word("&", 1.5, 1.6, 1), new Word("chips", 1.7, 2.1, 1), new Word("<b>", 2.2, 2.5, 1)
        })
    };

    @Test
    void vttEscapesCueText() {
        assertThat(TranscriptFormat.vtt.render(WITH_WORDS))
                .isEqualTo("WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nFish &amp; chips &lt;b&gt;\n\n");
        assertThat(TranscriptFormat.escapeVtt("a --> b & <c>")).isEqualTo("a --&gt; b &amp; &lt;c&gt;");
    }

    @Test
    void srtKeepsTheTextAsRecognised() {
        assertThat(TranscriptFormat.srt.render(WITH_WORDS)).contains("\nFish & chips <b>\n");
    }

    @Test
    void vttWordTimestampsAreCueTimestampTags() {
        assertThat(TranscriptFormat.vtt.render(WITH_WORDS, SubtitleLayout.DEFAULT, true)).isEqualTo(
                "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n"
                        + "Fish <00:00:01.500>&amp; <00:00:01.700>chips <00:00:02.200>&lt;b&gt;\n\n");
    }

    @Test
    void textWordTimestampsGiveEachWordItsTime() {
        assertThat(TranscriptFormat.text.render(WITH_WORDS, SubtitleLayout.DEFAULT, true)).isEqualTo(
                "[00:00:01.000 --> 00:00:02.500] Fish & chips <b>\n"
                        + "    00:00:01.000 --> 00:00:01.400  fish\n"
                        + "    00:00:01.500 --> 00:00:01.600  &\n"
                        + "    00:00:01.700 --> 00:00:02.100  chips\n"
                        + "    00:00:02.200 --> 00:00:02.500  <b>\n");
    }

    @Test
    void jsonKeepsWordsOnlyWhenAskedFor() {
        assertThat(TranscriptFormat.json.render(WITH_WORDS)).doesNotContain("words");
        assertThat(TranscriptFormat.json.render(WITH_WORDS, SubtitleLayout.DEFAULT, true))
                .contains("\"words\":[{\"word\":\"fish\",\"start\":1.0,\"end\":1.4");
    }

    @Test
    void narrowLayoutCutsMoreCues() {
        String oneLineOfTen = TranscriptFormat.srt.render(WITH_WORDS, new SubtitleLayout(10, 1, 7), false);
        assertThat(oneLineOfTen).isEqualTo("1\n00:00:01,000 --> 00:00:01,700\nFish &\n\n"
                + "2\n00:00:01,700 --> 00:00:02,700\nchips <b>\n\n");
    }
}
