package io.flinkasr.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.Json;
import io.flinkasr.records.JobRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Validates the parameters of SubmitASRJob as the ICE reference describes them and makes the request. */
public final class SubmitParameters {
    static final int MAX_TITLE_BYTES = 128;
    static final int MAX_INPUT_FILE_BYTES = 2048;
    static final int MAX_USER_DATA_BYTES = 1024;
    private static final Pattern CLOCK = Pattern.compile("^(\\d{1,3}):([0-5]\\d):([0-5]\\d)(\\.\\d{1,3})?$");

    private SubmitParameters() {}

    public static JobRequest parse(Map<String, String> params, long userId, String jobId, Instant now) {
        JobRequest r = new JobRequest();
        r.jobId = jobId;
        r.userId = userId;
        r.createTime = now.toEpochMilli();

        String input = params.get("InputFile");
        if (input == null || input.isBlank()) {
            throw IceException.missing("InputFile");
        }
        if (bytes(input) > MAX_INPUT_FILE_BYTES || input.chars().anyMatch(c -> c < 0x20)) {
            throw IceException.invalid("InputFile", "it must be a URL or path of at most " + MAX_INPUT_FILE_BYTES + " bytes.");
        }
        r.inputFile = input.strip();

        r.title = params.get("Title");
        if (r.title == null || r.title.isEmpty()) {
            r.title = "default_title_" + IceResponses.time(r.createTime);
        } else if (bytes(r.title) > MAX_TITLE_BYTES) {
            throw IceException.invalid("Title", "it can be up to " + MAX_TITLE_BYTES + " bytes in length.");
        }
        r.description = params.get("Description");
        if (r.description != null && bytes(r.description) > MAX_TITLE_BYTES) {
            throw IceException.invalid("Description", "it can be up to " + MAX_TITLE_BYTES + " bytes in length.");
        }

        r.userData = params.get("UserData");
        if (r.userData != null && !r.userData.isEmpty()) {
            if (bytes(r.userData) > MAX_USER_DATA_BYTES) {
                throw IceException.invalid("UserData", "it can be up to " + MAX_USER_DATA_BYTES + " bytes in length.");
            }
            jsonObject("UserData", r.userData);
        } else {
            r.userData = null;
        }

        editingConfig(params.get("EditingConfig"), r);
        jobParameters(params.get("JobParameters"), r);

        r.startTimeText = params.get("StartTime");
        if (r.startTimeText != null && !r.startTimeText.isEmpty()) {
            r.startTime = clock("StartTime", r.startTimeText);
        } else {
            r.startTimeText = null;
        }
        r.durationText = params.get("Duration");
        if (r.durationText != null && !r.durationText.isEmpty()) {
            r.duration = clock("Duration", r.durationText);
            if (r.duration <= 0) {
                throw IceException.invalid("Duration", "it must be longer than 00:00:00.");
            }
        } else {
            r.durationText = null;
        }
        return r;
    }

    /** EditingConfig: {"SentenceMaxLength": 4..50 (words per segment), "EnableSemanticSentenceDetection": bool}. */
    private static void editingConfig(String value, JobRequest r) {
        if (value == null || value.isEmpty()) {
            return;
        }
        JsonNode config = jsonObject("EditingConfig", value);
        JsonNode max = config.get("SentenceMaxLength");
        if (max != null && !max.isNull()) {
            if (!max.canConvertToInt() || (!max.isIntegralNumber() && !max.asText().matches("\\d+"))
                    || max.asInt() < 4 || max.asInt() > 50) {
                throw IceException.invalid("EditingConfig", "SentenceMaxLength must be a whole number from 4 to 50.");
            }
            r.sentenceMaxLength = max.asInt();
        }
        JsonNode semantic = config.get("EnableSemanticSentenceDetection");
        if (semantic != null && !semantic.isNull() && !semantic.isBoolean()
                && !semantic.asText().equals("true") && !semantic.asText().equals("false")) {
            throw IceException.invalid("EditingConfig", "EnableSemanticSentenceDetection must be true or false.");
        }
        r.editingConfig = config.toString();
    }

    /** JobParameters: {"request_params": "&enable_word_level_result=true"} asks for word timings. */
    private static void jobParameters(String value, JobRequest r) {
        if (value == null || value.isEmpty()) {
            return;
        }
        JsonNode parameters = jsonObject("JobParameters", value);
        JsonNode requestParams = parameters.get("request_params");
        if (requestParams != null && !requestParams.isNull()) {
            if (!requestParams.isTextual() || bytes(requestParams.asText()) > MAX_USER_DATA_BYTES) {
                throw IceException.invalid("JobParameters", "request_params must be a short string of name=value pairs.");
            }
            r.requestParams = requestParams.asText();
            for (String pair : r.requestParams.split("&")) {
                String[] kv = pair.split("=", 2);
                if (kv[0].strip().equals("enable_word_level_result")) {
                    r.wordLevel = kv.length == 2 && kv[1].strip().equalsIgnoreCase("true");
                }
            }
        }
    }

    static JsonNode jsonObject(String parameter, String value) {
        if (bytes(value) > MAX_USER_DATA_BYTES) {
            throw IceException.invalid(parameter, "it can be up to " + MAX_USER_DATA_BYTES + " bytes in length.");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(value);
        } catch (Exception e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw IceException.invalid(parameter, "it must be a JSON object.");
        }
        return node;
    }

    /** Seconds of an {@code HH:MM:SS[.fff]} time. */
    static double clock(String parameter, String value) {
        Matcher m = CLOCK.matcher(value.strip());
        if (!m.matches()) {
            throw IceException.invalid(parameter, "use the format HH:MM:SS or HH:MM:SS.fff, for example 00:01:30.");
        }
        double seconds = Integer.parseInt(m.group(1)) * 3600 + Integer.parseInt(m.group(2)) * 60 + Integer.parseInt(m.group(3));
        if (m.group(4) != null) {
            seconds += Double.parseDouble("0" + m.group(4));
        }
        return seconds;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
