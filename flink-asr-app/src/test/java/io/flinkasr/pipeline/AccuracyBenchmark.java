package io.flinkasr.pipeline;

import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import io.flinkasr.media.AudioDecoder;
import io.flinkasr.recognition.VoskRecognizer;
import io.flinkasr.records.Segment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Word error rate of flink-asr (default settings, through the API) next to Vosk decoding each file whole
 * in one thread (a fresh recognizer per file), from the same run, on the real recordings of ../shared/speech and on a long input
 * joined from them. The normalisation is {@link WordErrorRate}'s. Run with
 * {@code mvn verify -Pbench -Dit.test=AccuracyBenchmark}; it prints a Markdown table.
 */
class AccuracyBenchmark {
    @TempDir Path tmp;

    private record Input(String name, Path file, String transcript) {}

    @Test
    void wordErrorRate() throws Exception {
        String model = System.getProperty("flinkasr.model.path");
        Path media = Files.createDirectories(tmp.resolve("media"));
        List<Input> inputs = new ArrayList<>();
        List<SpeechSet.Recording> recordings = SpeechSet.load();
        for (SpeechSet.Recording r : recordings) {
            inputs.add(new Input(r.file().getFileName().toString(), r.file(), r.transcript()));
        }
        Media.Joined joined = Media.joined(recordings, 4, 0.7, tmp, media.resolve("joined.flac"));
        inputs.add(new Input(String.format(Locale.ROOT, "all joined 4 times, 0.7 s gaps (%.0f s)", joined.seconds()), joined.file(), joined.transcript()));
        for (int seed = 1; seed <= 2; seed++) {
            // the same recordings in other orders, other gaps: the cuts fall elsewhere
            List<SpeechSet.Recording> order = new ArrayList<>();
            Random random = new Random(seed);
            for (int round = 0; round < 2; round++) {
                List<SpeechSet.Recording> shuffled = new ArrayList<>(recordings);
                Collections.shuffle(shuffled, random);
                order.addAll(shuffled);
            }
            double gap = 0.3 + 0.3 * seed;
            Media.Joined mixed = Media.joined(order, 1, gap, tmp, media.resolve("shuffled-" + seed + ".flac"));
            inputs.add(new Input(String.format(Locale.ROOT, "shuffled twice, seed %d, %.1f s gaps (%.0f s)", seed, gap, mixed.seconds()),
                    mixed.file(), mixed.transcript()));
        }

        Configuration config = TestStacks.asUsersRunIt(SpeechSet.dir(), media);
        StringBuilder table = new StringBuilder("| input | words | flink-asr WER | whole-file Vosk WER | difference (points) |\n| --- | --- | --- | --- | --- |\n");
        int words = 0;
        int ours = 0;
        int whole = 0;
        int allWords = 0;
        int allOurs = 0;
        int allWhole = 0;
        try (LocalStack stack = LocalStack.start(config, tmp.resolve("data"), 0, null);
                VoskRecognizer vosk = new VoskRecognizer(model, 16000f)) {
            AsrApi api = new AsrApi(stack.apiUrl());
            AudioDecoder decoder = new AudioDecoder("ffmpeg", Duration.ofMinutes(5));
            for (Input input : inputs) {
                String hypothesis = AsrApi.text(AsrApi.segments(api.await(api.submit(input.file().toString()), Duration.ofMinutes(10))));
                String reference = AsrApi.text(vosk.recognize(decoder.decode(input.file(), 0, 24 * 3600)).toArray(new Segment[0]));
                int n = WordErrorRate.words(input.transcript()).length;
                int e1 = WordErrorRate.errors(input.transcript(), hypothesis);
                int e2 = WordErrorRate.errors(input.transcript(), reference);
                table.append(String.format(Locale.ROOT, "| %s | %d | %.1f%% | %.1f%% | %+.1f |%n", input.name(), n, 100.0 * e1 / n, 100.0 * e2 / n, 100.0 * (e1 - e2) / n));
                allWords += n;
                allOurs += e1;
                allWhole += e2;
                if (input.file().startsWith(SpeechSet.dir())) {
                    words += n;
                    ours += e1;
                    whole += e2;
                }
            }
        }
        table.append(String.format(Locale.ROOT, "| **the %d recordings** | %d | %.1f%% | %.1f%% | %+.1f |%n",
                recordings.size(), words, 100.0 * ours / words, 100.0 * whole / words, 100.0 * (ours - whole) / words));
        table.append(String.format(Locale.ROOT, "| **all inputs** | %d | %.1f%% | %.1f%% | %+.1f |%n",
                allWords, 100.0 * allOurs / allWords, 100.0 * allWhole / allWords, 100.0 * (allOurs - allWhole) / allWords));
        System.out.println();
        System.out.println("settings other than the defaults: " + System.getProperties().stringPropertyNames().stream()
                .filter(TestStacks::isSetting).map(name -> name + "=" + System.getProperty(name)).toList());
        System.out.print(table);
    }
}
