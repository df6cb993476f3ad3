package io.flinkasr.pipeline;

import io.flinkasr.bench.SpeechManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real recordings of ../shared/speech and their exact transcripts (manifest.tsv, read by {@link SpeechManifest}).
 *
 * <p>Where the folder is missing, every test that needs it fails with one line naming the folder and how
 * to point elsewhere, rather than skipping: CI always has it, so a missing folder there is a broken
 * checkout that must not pass as green with the pipeline tests not run.
 */
public final class SpeechSet {
    /** The system property the build sets from {@code -Dspeech.dir} (default: ../shared/speech beside the checkout). */
    public static final String PROPERTY = "flinkasr.speech.dir";

    public record Recording(Path file, double seconds, String transcript) {}

    private SpeechSet() {}

    /** The folder, or an AssertionError that names it when it (or its manifest.tsv) is missing. */
    public static Path dir() {
        Path dir = Path.of(System.getProperty(PROPERTY, "../shared/speech")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve(SpeechManifest.FILE_NAME))) {
            throw new AssertionError("The shared recordings are missing: no " + SpeechManifest.FILE_NAME + " in " + dir
                    + " (this test needs ../shared/speech beside the checkout; mvn -Dspeech.dir=DIR points elsewhere)");
        }
        return dir;
    }

    /** One recording of the set, by file name. */
    public static Path file(String name) {
        return dir().resolve(name);
    }

    public static List<Recording> load() throws IOException {
        List<Recording> all = new ArrayList<>();
        for (io.flinkasr.bench.Recording r : SpeechManifest.read(dir())) {
            all.add(new Recording(r.file(), r.seconds(), r.transcript()));
        }
        return all;
    }
}
