package io.flinkasr.recognition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.ArrayList;
import java.util.List;
import org.vosk.Model;
import org.vosk.Recognizer;

/**
 * Vosk on the JVM's shared model; each utterance that Vosk's endpointer closes becomes one segment. The
 * {@link RecognizerMode} says whether one {@link Recognizer} serves every call (REUSED) or each call gets
 * a fresh one (FRESH).
 */
public final class VoskRecognizer implements SpeechRecognizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCK = 8000; // bytes: 0.25 s

    private final float sampleRate;
    private final RecognizerMode mode;
    private final Model shared;
    private Recognizer reused;
    /** Samples fed to {@link #reused} before the current call: Vosk's times count from its creation. */
    private long reusedSamples;
    /** The chunk being decoded, if any. */
    private VoskDecoding active;
    private boolean closed;

    /** A fresh recognizer per call on the shared model: Vosk decoding a file whole. */
    public VoskRecognizer(String modelPath, float sampleRate) {
        this(modelPath, sampleRate, RecognizerMode.FRESH);
    }

    public VoskRecognizer(String modelPath, float sampleRate, RecognizerMode mode) {
        this.sampleRate = sampleRate;
        this.mode = mode;
        this.shared = SharedVoskModel.acquire(modelPath);
    }

    @Override
    public List<Segment> recognize(byte[] pcm) {
        try (Decoding decoding = start(pcm)) {
            decoding.feed(pcm.length);
            return decoding.segments();
        }
    }

    @Override
    public Decoding start(byte[] pcm) {
        if (active != null) {
            throw new IllegalStateException("this recognizer is already decoding a chunk");
        }
        if (mode == RecognizerMode.FRESH) {
            active = new VoskDecoding(newRecognizer(shared), pcm, 0);
        } else {
            if (reused == null) {
                reused = newRecognizer(shared);
                reusedSamples = 0;
            }
            active = new VoskDecoding(reused, pcm, reusedSamples / (double) sampleRate);
        }
        return active;
    }

    /**
     * Feeds the audio in 0.25 s blocks, an utterance becoming a segment where Vosk's endpointer closes it, and
     * finalises at the end, so that nothing of this audio's utterance state reaches the next chunk.
     */
    private final class VoskDecoding implements Decoding {
        private final Recognizer recognizer;
        private final byte[] pcm;
        private final double clock;
        private final byte[] block = new byte[BLOCK];
        private final List<Segment> segments = new ArrayList<>();
        private int at;
        private boolean endpoint;
        private boolean done;

        VoskDecoding(Recognizer recognizer, byte[] pcm, double clock) {
            this.recognizer = recognizer;
            this.pcm = pcm;
            this.clock = clock;
        }

        @Override
        public boolean feed(int maxBytes) {
            if (done) {
                return true;
            }
            long until = Math.min(pcm.length, (long) at + Math.max(BLOCK, maxBytes));
            while (at < until) {
                int n = Math.min(BLOCK, pcm.length - at);
                System.arraycopy(pcm, at, block, 0, n);
                endpoint = recognizer.acceptWaveForm(block, n);
                if (endpoint) {
                    addSegment(recognizer.getResult(), clock, segments);
                }
                at += BLOCK;
            }
            if (at >= pcm.length) {
                if (endpoint) {
                    // Vosk finalises, and drops its feature pipeline with the speaker adaptation, only from a running
                    // utterance: reopen one with no audio, so that the next chunk does not start adapted to this speaker.
                    recognizer.acceptWaveForm(block, 0);
                }
                addSegment(recognizer.getFinalResult(), clock, segments);
                done = true;
                release();
            }
            return done;
        }

        @Override
        public List<Segment> segments() {
            return segments;
        }

        @Override
        public void close() {
            if (!done) {
                done = true;
                release();
            }
        }

        /** Makes the recognizer ready for the next chunk: a fresh one is closed, the reused one reset. */
        private void release() {
            if (mode == RecognizerMode.FRESH) {
                recognizer.close();
            } else {
                recognizer.reset();
                reusedSamples += Math.min(at, pcm.length) / 2; // Vosk's clock runs on across resets
            }
            active = null;
        }
    }

    private Recognizer newRecognizer(Model model) {
        try {
            Recognizer recognizer = new Recognizer(model, sampleRate);
            recognizer.setWords(true);
            return recognizer;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Vosk could not start a recognizer", e);
        }
    }

    /** Adds the utterance in Vosk's result as a segment, its times made relative to this call's audio. */
    private static void addSegment(String resultJson, double clock, List<Segment> segments) {
        JsonNode result;
        try {
            result = JSON.readTree(resultJson);
        } catch (Exception e) {
            throw new IllegalStateException("Vosk returned unreadable JSON", e);
        }
        JsonNode words = result.path("result");
        if (!words.isArray() || words.isEmpty()) {
            return;
        }
        List<Word> list = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (JsonNode w : words) {
            String word = w.path("word").asText();
            list.add(new Word(word, w.path("start").asDouble() - clock, w.path("end").asDouble() - clock, w.path("conf").asDouble()));
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(word);
        }
        segments.add(new Segment(text.toString(), list.get(0).start, list.get(list.size() - 1).end, list.toArray(new Word[0])));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (active != null) {
                active.close();
            }
            if (reused != null) {
                reused.close();
                reused = null;
            }
        }
    }
}
