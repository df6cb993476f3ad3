package io.flinkasr.recognition;

import io.flinkasr.records.Segment;
import java.util.List;

/** Turns 16 kHz mono 16-bit PCM into segments whose times are seconds from the start of the PCM. */
public interface SpeechRecognizer extends AutoCloseable {

    List<Segment> recognize(byte[] pcm);

    /**
     * Starts recognising {@code pcm} a slice at a time, so that the caller's thread is free between slices
     * (for checkpoints, new input, a more urgent chunk). One recognizer runs one decoding at a time. This
     * default recognises everything on the first slice.
     */
    default Decoding start(byte[] pcm) {
        return new Decoding() {
            private List<Segment> segments;

            @Override
            public boolean feed(int maxBytes) {
                segments = recognize(pcm);
                return true;
            }

            @Override
            public List<Segment> segments() {
                return segments;
            }
        };
    }

    @Override
    void close();

    /** One chunk being recognised. */
    interface Decoding extends AutoCloseable {
        /** Recognises about {@code maxBytes} more of the audio; true once all of it is in and {@link #segments()} is final. */
        boolean feed(int maxBytes);

        List<Segment> segments();

        /** Gives up an unfinished decoding (the recognizer is ready for another). */
        @Override
        default void close() {}
    }
}
