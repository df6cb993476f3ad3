package io.flinkasr.recognition;

import io.flinkasr.media.AudioDecoder;
import java.io.Serializable;

/** Makes the recognizer a recognition subtask uses; shipped to the workers with the job graph. */
@FunctionalInterface
public interface RecognizerFactory extends Serializable {

    SpeechRecognizer create();

    /** Vosk with the model in {@code modelPath}, set up per chunk as {@code mode} says. */
    static RecognizerFactory vosk(String modelPath, RecognizerMode mode) {
        return () -> new VoskRecognizer(modelPath, AudioDecoder.SAMPLE_RATE, mode);
    }
}
