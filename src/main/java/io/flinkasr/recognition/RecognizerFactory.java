package io.flinkasr.recognition;

import java.io.Serializable;

/** Makes the recognizer a recognition subtask uses; shipped to the workers with the job graph. */
@FunctionalInterface
public interface RecognizerFactory extends Serializable {

    SpeechRecognizer create();

    /** Vosk with the model in {@code modelPath}, loaded once per JVM; see {@link VoskRecognizer} on reuse. */
    static RecognizerFactory vosk(String modelPath, boolean reuse) {
        return () -> new VoskRecognizer(modelPath, 16000f, reuse);
    }
}
