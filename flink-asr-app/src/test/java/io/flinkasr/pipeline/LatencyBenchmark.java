package io.flinkasr.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.recognition.RecognizerMode;
import io.flinkasr.local.TestStacks;
import io.flinkasr.media.AudioDecoder;
import io.flinkasr.recognition.VoskRecognizer;
import io.flinkasr.records.Segment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submit-to-Finished time of flink-asr on the local stack (default settings: chunks of at most 25 s,
 * parallelism = cores, a checkpoint every 2 s) next to Vosk decoding the same file whole in one thread.
 * Run with {@code mvn verify -Pbench}; it prints a Markdown table and asserts nothing about time.
 */
class LatencyBenchmark {
    @TempDir Path tmp;

    @Test
    void submitToFinished() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        List<SpeechSet.Recording> recordings = SpeechSet.load();
        Path clip = SpeechSet.dir().resolve("jfk.flac");
        Media.Joined five = Media.joined(recordings, 3, 3.0, tmp, media.resolve("five-minutes.flac"));
        String model = System.getProperty("flinkasr.model.path");

        StringBuilder table = new StringBuilder();
        table.append("| input | audio | recognizer | flink-asr submit → Finished | chunks | Vosk whole file, 1 thread | WER flink-asr | WER whole-file |\n");
        table.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (RecognizerMode recognizers : RecognizerMode.values()) {
            Configuration config = TestStacks.asUsersRunIt(SpeechSet.dir(), media);
            config.set(AsrOptions.RECOGNIZER_MODE, recognizers);
            try (LocalStack stack = LocalStack.start(config, tmp.resolve("data-" + recognizers), 0, null)) {
                AsrApi api = new AsrApi(stack.apiUrl());
                api.await(api.submit(clip.toString()), Duration.ofMinutes(5)); // warm-up: model load, JIT
                String mode = "`asr.recognizer.mode: " + recognizers + "`" + (recognizers == AsrOptions.RECOGNIZER_MODE.defaultValue() ? " (default)" : "");
                row(table, api, "10 s clip (jfk.flac)", mode, clip, 11.0, recordings.get(0).transcript(), model);
                row(table, api, "5-minute file (shared recordings joined)", mode, five.file(), five.seconds(), five.transcript(), model);
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "machine: %d cores, %s, Java %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("java.version"));
        System.out.print(table);
    }

    private static void row(StringBuilder table, AsrApi api, String name, String mode, Path file, double seconds, String transcript, String model) throws Exception {
        double ours = Double.MAX_VALUE;
        JsonNode job = null;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            job = api.await(api.submit(file.toString()), Duration.ofMinutes(10));
            ours = Math.min(ours, (System.nanoTime() - t0) / 1e9);
        }
        long t0 = System.nanoTime();
        byte[] pcm = new AudioDecoder("ffmpeg", Duration.ofMinutes(5)).decode(file, 0, 24 * 3600);
        String whole;
        try (VoskRecognizer vosk = new VoskRecognizer(model, 16000f)) {
            whole = AsrApi.text(vosk.recognize(pcm).toArray(new Segment[0]));
        }
        double voskSeconds = (System.nanoTime() - t0) / 1e9;
        table.append(String.format(Locale.ROOT, "| %s | %.0f s | %s | %.2f s | %d | %.2f s | %.1f%% | %.1f%% |%n",
                name, seconds, mode, ours, job.path("Chunks").size(), voskSeconds,
                100 * WordErrorRate.of(transcript, AsrApi.text(AsrApi.segments(job))),
                100 * WordErrorRate.of(transcript, whole)));
    }
}
