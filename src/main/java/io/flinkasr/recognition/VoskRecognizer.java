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
 * Vosk on the JVM-wide shared model. A fresh {@link Recognizer} is made for each call (they are cheap and
 * hold per-utterance state); each utterance that Vosk's endpointer closes becomes one segment.
 */
public final class VoskRecognizer implements SpeechRecognizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCK = 8000; // bytes: 0.25 s

    private final Model model;
    private final float sampleRate;
    private boolean closed;

    public VoskRecognizer(String modelPath, float sampleRate) {
        this.model = SharedVoskModel.acquire(modelPath);
        this.sampleRate = sampleRate;
    }

    @Override
    public List<Segment> recognize(byte[] pcm) {
        List<Segment> segments = new ArrayList<>();
        try (Recognizer recognizer = new Recognizer(model, sampleRate)) {
            recognizer.setWords(true);
            byte[] block = new byte[BLOCK];
            for (int at = 0; at < pcm.length; at += BLOCK) {
                int n = Math.min(BLOCK, pcm.length - at);
                System.arraycopy(pcm, at, block, 0, n);
                if (recognizer.acceptWaveForm(block, n)) {
                    addSegment(recognizer.getResult(), segments);
                }
            }
            addSegment(recognizer.getFinalResult(), segments);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Vosk could not start a recognizer", e);
        }
        return segments;
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
            SharedVoskModel.release();
        }
    }
}
