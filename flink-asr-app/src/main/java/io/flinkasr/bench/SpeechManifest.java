package io.flinkasr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The speech set's {@code manifest.tsv}: a header line, then one recording a line, tab-separated, with the
 * file name first, its duration in seconds second and the exact transcript last.
 */
public final class SpeechManifest {
    public static final String FILE_NAME = "manifest.tsv";

    private SpeechManifest() {}

    public static List<Recording> read(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(FILE_NAME));
        List<Recording> all = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length < 3) {
                throw new IOException("Unreadable line in " + dir.resolve(FILE_NAME) + ": " + line);
            }
            all.add(new Recording(dir.resolve(f[0]), Double.parseDouble(f[1]), f[f.length - 1]));
        }
        return all;
    }
}
