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
 * Vosk on the JVM-wide shared model; each utterance that Vosk's endpointer closes becomes one segment.
 *
 * <p>With {@code reuse} one {@link Recognizer} serves every call and is reset in between; otherwise a
 * fresh one is made per call. Measured on a 5-minute file: 15.9 s of CPU reused, 30.3 s fresh, because a
 * fresh recognizer starts with a cold decoding-graph cache. Neither is strictly reproducible: Vosk
 * carries some state across resets (1 of 7 chunks came out with different words after two earlier
 * chunks), and the same whole file decoded twice in one JVM with fresh recognizers also differed.
 */
public final class VoskRecognizer implements SpeechRecognizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCK = 8000; // bytes: 0.25 s

    private final Model model;
    private final float sampleRate;
    private final boolean reuse;
    private Recognizer reused;
    /** Samples fed to {@link #reused} before the current call: Vosk's times count from its creation. */
    private long reusedSamples;
    private boolean closed;

    public VoskRecognizer(String modelPath, float sampleRate) {
        this(modelPath, sampleRate, false);
    }

    public VoskRecognizer(String modelPath, float sampleRate, boolean reuse) {
        this.model = SharedVoskModel.acquire(modelPath);
        this.sampleRate = sampleRate;
        this.reuse = reuse;
    }

    @Override
    public List<Segment> recognize(byte[] pcm) {
        Recognizer recognizer = reuse && reused != null ? reused : newRecognizer();
        double clock = recognizer == reused ? reusedSamples / (double) sampleRate : 0;
        List<Segment> segments = new ArrayList<>();
        try {
            byte[] block = new byte[BLOCK];
            for (int at = 0; at < pcm.length; at += BLOCK) {
                int n = Math.min(BLOCK, pcm.length - at);
                System.arraycopy(pcm, at, block, 0, n);
                if (recognizer.acceptWaveForm(block, n)) {
                    addSegment(recognizer.getResult(), clock, segments);
                }
            }
            addSegment(recognizer.getFinalResult(), clock, segments);
        } finally {
            if (reuse) {
                recognizer.reset();
                reusedSamples = (recognizer == reused ? reusedSamples : 0) + pcm.length / 2;
                reused = recognizer;
            } else {
                recognizer.close();
            }
        }
        return segments;
    }

    private Recognizer newRecognizer() {
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
            if (reused != null) {
                reused.close();
                reused = null;
            }
            SharedVoskModel.release();
        }
    }
}
