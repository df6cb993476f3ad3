package io.flinkasr.recognition;

import io.flinkasr.records.Segment;
import java.util.List;

/** Turns 16 kHz mono 16-bit PCM into segments whose times are seconds from the start of the PCM. */
public interface SpeechRecognizer extends AutoCloseable {

    List<Segment> recognize(byte[] pcm);

    @Override
    void close();
}
