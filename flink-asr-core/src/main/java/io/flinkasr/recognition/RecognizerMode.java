package io.flinkasr.recognition;

/**
 * How Vosk is set up for each chunk.
 *
 * <p>Neither mode makes Vosk's words a function of the audio alone. Measured here: fresh recognizers on the
 * JVM's shared model gave different words for 1 of 12 chunks once other audio had been decoded, and another
 * when two threads decoded at once; even a model loaded afresh for every chunk moved one word in 816 between
 * two runs of the cluster fault test (at 3-4 times the CPU), and the n-th whole-file decode of a process
 * gave the same output in two processes but a different one from the (n+1)-th: the state lives inside the
 * native library, out of reach. In practice that is a word or two in a thousand, in either direction.
 */
public enum RecognizerMode {
    /**
     * One recognizer per subtask on the JVM's shared model, its utterance and speaker-adaptation state
     * dropped between chunks; its decoding-graph cache stays warm.
     */
    REUSED,
    /** A fresh recognizer per chunk on the shared model: about twice the CPU of REUSED (a cold graph cache). */
    FRESH
}
