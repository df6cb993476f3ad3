package io.flinkasr.pipeline;

import io.flinkasr.bench.SpeechManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real recordings of ../shared/speech and their exact transcripts (manifest.tsv, read by {@link SpeechManifest}). */
final class SpeechSet {
    record Recording(Path file, double seconds, String transcript) {}

    private SpeechSet() {}

    static Path dir() {
        return Path.of(System.getProperty("flinkasr.speech.dir", "../shared/speech")).toAbsolutePath().normalize();
    }

    static List<Recording> load() throws IOException {
        List<Recording> all = new ArrayList<>();
        for (io.flinkasr.bench.Recording r : SpeechManifest.read(dir())) {
            all.add(new Recording(r.file(), r.seconds(), r.transcript()));
        }
        return all;
    }
}
