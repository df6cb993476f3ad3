package io.flinkasr.cluster;

import io.flinkasr.media.AudioDecoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.vosk.LibVosk;
import org.vosk.LogLevel;
import org.vosk.Model;
import org.vosk.Recognizer;

/**
 * What the Vosk model and one warm recognizer hold in resident memory, measured in a JVM of their own: the
 * process's VmRSS before, after loading the model, and after a recognizer on it has decoded a recording (its
 * caches warm). Prints {@code rss-jvm}, {@code rss-model} and {@code rss-recognizer} in MiB, then
 * {@value #DONE}.
 *
 * <p>Arguments: the model folder, a recording, the ffmpeg command.
 */
public final class ModelFootprint {
    public static final String DONE = "model footprint measured";

    private ModelFootprint() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        byte[] pcm = new AudioDecoder(args[2], Duration.ofMinutes(1)).decode(Path.of(args[1]), 0, 600);
        LibVosk.setLogLevel(LogLevel.WARNINGS);
        print("rss-jvm", rss());
        try (Model m = new Model(model.toString())) {
            print("rss-model", rss());
            try (Recognizer r = new Recognizer(m, AudioDecoder.SAMPLE_RATE)) {
                r.setWords(true);
                for (int at = 0; at < pcm.length; at += 8000) {
                    r.acceptWaveForm(java.util.Arrays.copyOfRange(pcm, at, Math.min(pcm.length, at + 8000)),
                            Math.min(8000, pcm.length - at));
                }
                r.getFinalResult();
                print("rss-recognizer", rss());
            }
        }
        System.out.println(DONE);
        System.out.flush();
        // stdin stays open (ProcessWatchdog): wait to be killed
        Thread.sleep(Long.MAX_VALUE);
    }

    private static double rss() throws Exception {
        return ResidentMemory.mebibytes(ProcessHandle.current().pid());
    }

    private static void print(String what, double mib) {
        System.out.printf(Locale.ROOT, "%s %.1f%n", what, mib);
    }
}
