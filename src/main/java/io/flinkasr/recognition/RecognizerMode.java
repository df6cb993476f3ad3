package io.flinkasr.recognition;

/**
 * How Vosk is set up for each chunk: the trade between CPU and word-for-word reproducible transcripts.
 *
 * <p>Vosk's words for a chunk depend slightly on what was decoded before: the model that every recognizer
 * of a JVM shares keeps state from earlier decodes, and a reused recognizer keeps its decoding-graph cache.
 * Measured on 12 chunks of one recording: fresh recognizers on the shared model gave different words for 1
 * chunk after other audio had been decoded (and for another when two threads decoded at once); a model
 * loaded for each chunk gave identical words whatever came before. In a run without failures that is
 * noise (a word or two in a thousand); after a failure it means a recomputed chunk can differ from what
 * an undisturbed run would have produced.
 */
public enum RecognizerMode {
    /** One recognizer per subtask on the JVM's shared model, its utterance state dropped between chunks. */
    REUSED,
    /** A fresh recognizer per chunk on the shared model: about twice the CPU of REUSED (cold graph cache). */
    FRESH,
    /**
     * A model loaded for each chunk, used once and freed: a chunk's words depend on its audio alone, so a
     * job's transcript is identical word for word across runs, restarts and failures. About three times
     * the CPU of REUSED (0.4 s to load the small model per chunk, plus the cold cache) and one more model
     * in memory (about 300 MB) per recognising slot while a chunk is decoded.
     */
    REPRODUCIBLE
}
