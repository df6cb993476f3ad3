package io.flinkasr.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Asks ffprobe whether a file has an audio stream and how long it is. */
public final class MediaProbe {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What ffprobe found: the media's duration in seconds, or -1 where the container does not say. */
    public record Info(double durationSeconds) {}

    private final String ffprobe;
    private final Duration timeout;

    public MediaProbe(String ffprobe, Duration timeout) {
        this.ffprobe = ffprobe;
        this.timeout = timeout;
    }

    public Info probe(Path file) throws MediaException {
        List<String> command = new java.util.ArrayList<>(List.of(ffprobe, "-v", "error"));
        command.addAll(Subprocess.INPUT_LIMITS);
        command.addAll(List.of("-show_entries", "format=duration:stream=codec_type", "-of", "json", file.toString()));
        Subprocess.Result run = Subprocess.run(command, timeout);
        if (run.timedOut()) {
            throw new MediaException("Media.DecodeTimeout", "Reading the media's header took too long.");
        }
        JsonNode root;
        try {
            root = JSON.readTree(run.stdout());
        } catch (Exception e) {
            root = null;
        }
        if (run.exitCode() != 0 || root == null || !root.has("format")) {
            throw new MediaException(
                    "Media.Unsupported", "The InputFile is not a media file that can be decoded.");
        }
        boolean audio = false;
        for (JsonNode stream : root.path("streams")) {
            audio |= "audio".equals(stream.path("codec_type").asText());
        }
        if (!audio) {
            throw new MediaException("Media.NoAudioStream", "The InputFile has no audio stream.");
        }
        double duration = root.path("format").path("duration").asDouble(-1);
        return new Info(duration > 0 ? duration : -1);
    }
}
