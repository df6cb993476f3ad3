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
 * <p>By default a fresh {@link Recognizer} is made for each call, so a chunk's words depend on that chunk
 * alone and a chunk recognised again after a failure gives the same words. With {@code reuse} one
 * Recognizer serves every call and is reset in between: measured here, that halves the CPU per chunk
 * (a fresh recognizer starts with a cold decoding-graph cache), but Vosk carries state across resets,
 * so a chunk's words can then depend on the chunks recognised before it (1 of 7 chunks differed).
 */
public final class VoskRecognizer implements SpeechRecognizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCK = 8000; // bytes: 0.25 s

    private final Model model;
    private final float sampleRate;
    private final boolean reuse;
    private Recognizer reused;
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
        List<Segment> segments = new ArrayList<>();
        try {
            byte[] block = new byte[BLOCK];
            for (int at = 0; at < pcm.length; at += BLOCK) {
                int n = Math.min(BLOCK, pcm.length - at);
                System.arraycopy(pcm, at, block, 0, n);
                if (recognizer.acceptWaveForm(block, n)) {
                    addSegment(recognizer.getResult(), segments);
                }
            }
            addSegment(recognizer.getFinalResult(), segments);
        } finally {
            if (reuse) {
                recognizer.reset();
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

    private static void addSegment(String resultJson, List<Segment> segments) {
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
            list.add(new Word(word, w.path("start").asDouble(), w.path("end").asDouble(), w.path("conf").asDouble()));
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
