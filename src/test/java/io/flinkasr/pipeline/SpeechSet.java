package io.flinkasr.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real recordings of ../shared/speech and their exact transcripts (manifest.tsv). */
final class SpeechSet {
    record Recording(Path file, double seconds, String transcript) {}

    private SpeechSet() {}

    static Path dir() {
        return Path.of(System.getProperty("flinkasr.speech.dir", "../shared/speech")).toAbsolutePath().normalize();
    }

    static List<Recording> load() throws IOException {
        List<Recording> all = new ArrayList<>();
        List<String> lines = Files.readAllLines(dir().resolve("manifest.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            all.add(new Recording(dir().resolve(f[0]), Double.parseDouble(f[1]), f[f.length - 1]));
        }
        return all;
    }
}
