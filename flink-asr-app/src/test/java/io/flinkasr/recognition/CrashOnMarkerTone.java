package io.flinkasr.recognition;

import io.flinkasr.records.Segment;
import java.util.List;

/**
 * A {@link RecognizerFactory} for crash tests: the real recognizer, except that a chunk whose PCM starts with
 * the {@link MarkerTone} ends the whole JVM on the spot ({@link Runtime#halt}: no exception, no shutdown
 * hook, no goodbye to the JobManager), as a native crash in the recogniser or the kernel's OOM killer would.
 */
public final class CrashOnMarkerTone implements RecognizerFactory {
    /** The exit code of a TaskManager that met the marker tone. */
    public static final int EXIT_CODE = 86;

    private final RecognizerFactory real;

    public CrashOnMarkerTone(RecognizerFactory real) {
        this.real = real;
    }

    @Override
    public SpeechRecognizer create() {
        SpeechRecognizer recognizer = real.create();
        return new SpeechRecognizer() {
            @Override
            public List<Segment> recognize(byte[] pcm) {
                if (MarkerTone.startsWith(pcm)) {
                    System.err.println("CrashOnMarkerTone: the chunk starts with the marker tone; halting this JVM");
                    System.err.flush();
                    Runtime.getRuntime().halt(EXIT_CODE);
                }
                return recognizer.recognize(pcm);
            }

            @Override
            public void close() {
                recognizer.close();
            }
        };
    }
}
