package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkasr.records.JobRequest;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubmitParametersTest {
    private static final Instant NOW = Instant.parse("2022-01-21T06:15:02.345Z");
    private static final long USER = 1234562230123456L;

    private static JobRequest parse(Map<String, String> params) {
        return SubmitParameters.parse(params, USER, "job-1", NOW);
    }

    private static Map<String, String> with(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("InputFile", "/media/talk.mp4");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void takesAFullRequest() {
        JobRequest r = parse(with("Title", "t", "Description", "d", "UserData", "{\"user\":\"data\"}",
                "StartTime", "00:00:01.5", "Duration", "00:01:00"));

        assertThat(r.jobId).isEqualTo("job-1");
        assertThat(r.userId).isEqualTo(USER);
        assertThat(r.inputFile).isEqualTo("/media/talk.mp4");
        assertThat(r.startTime).isEqualTo(1.5);
        assertThat(r.duration).isEqualTo(60.0);
        assertThat(r.userData).isEqualTo("{\"user\":\"data\"}");
        assertThat(r.createTime).isEqualTo(NOW.toEpochMilli());
        assertThat(IceResponses.jobParameters(r)).isEqualTo("{\"duration\":\"00:01:00\",\"start_time\":\"00:00:01.5\"}");
    }

    @Test
    void defaultTitleNamesTheCreateTime() {
        assertThat(parse(with()).title).isEqualTo("default_title_2022-01-21T06:15:02Z");
    }

    @Test
    void requiresInputFile() {
        Map<String, String> params = with();
        params.remove("InputFile");
        assertCode(params, "MissingParameter");
        assertCode(with("InputFile", "  "), "MissingParameter");
    }

    @Test
    void countsTitleAndDescriptionInUtf8Bytes() {
        String euro128 = "€".repeat(42) + "ab"; // 42 * 3 + 2 = 128 bytes, 44 characters
        assertThat(parse(with("Title", euro128)).title).isEqualTo(euro128);
        assertCode(with("Title", "€".repeat(43)), "InvalidParameter"); // 129 bytes
        assertCode(with("Title", "x".repeat(129)), "InvalidParameter");
        assertCode(with("Description", "x".repeat(129)), "InvalidParameter");
    }

    @Test
    void refusesBadTimes() {
        assertCode(with("StartTime", "1:2"), "InvalidParameter");
        assertCode(with("StartTime", "00:61:00"), "InvalidParameter");
        assertCode(with("StartTime", "-00:00:01"), "InvalidParameter");
        assertCode(with("Duration", "00:00:00"), "InvalidParameter");
        assertCode(with("Duration", "ten seconds"), "InvalidParameter");
    }

    @Test
    void userDataMustBeABoundedJsonObject() {
        assertCode(with("UserData", "{not json"), "InvalidParameter");
        assertCode(with("UserData", "[1,2]"), "InvalidParameter");
        assertCode(with("UserData", "{\"a\":\"" + "x".repeat(1100) + "\"}"), "InvalidParameter");
    }

    private static void assertCode(Map<String, String> params, String code) {
        assertThatThrownBy(() -> parse(params))
                .isInstanceOf(IceException.class)
                .satisfies(e -> assertThat(((IceException) e).code()).isEqualTo(code));
    }

    @Test
    void editingConfigBoundsSentenceMaxLength() {
        assertThat(parse(with("EditingConfig", "{\"SentenceMaxLength\":4}")).sentenceMaxLength).isEqualTo(4);
        assertThat(parse(with("EditingConfig", "{\"SentenceMaxLength\":50,\"EnableSemanticSentenceDetection\":true}")).sentenceMaxLength).isEqualTo(50);
        assertCode(with("EditingConfig", "{\"SentenceMaxLength\":3}"), "InvalidParameter");
        assertCode(with("EditingConfig", "{\"SentenceMaxLength\":51}"), "InvalidParameter");
        assertCode(with("EditingConfig", "{\"SentenceMaxLength\":12.5}"), "InvalidParameter");
        assertCode(with("EditingConfig", "{\"SentenceMaxLength\":\"many\"}"), "InvalidParameter");
        assertCode(with("EditingConfig", "{\"EnableSemanticSentenceDetection\":\"maybe\"}"), "InvalidParameter");
        assertCode(with("EditingConfig", "[]"), "InvalidParameter");
    }

    @Test
    void theWordLevelFlagOfJobParametersAsksForWords() {
        JobRequest r = parse(with("JobParameters", "{\"request_params\":\"&enable_word_level_result=true\"}"));
        assertThat(r.wordLevel).isTrue();
        assertThat(IceResponses.jobParameters(r)).contains("\"request_params\":\"&enable_word_level_result=true\"");
        assertThat(parse(with("JobParameters", "{\"request_params\":\"&enable_word_level_result=false\"}")).wordLevel).isFalse();
        assertThat(parse(with()).wordLevel).isFalse();
        assertCode(with("JobParameters", "not json"), "InvalidParameter");
    }
}
