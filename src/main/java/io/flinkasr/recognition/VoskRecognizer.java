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
        if (mode == RecognizerMode.FRESH) {
            try (Recognizer recognizer = newRecognizer(shared)) {
                return decode(recognizer, pcm, 0);
            }
        }
        if (reused == null) {
            reused = newRecognizer(shared);
            reusedSamples = 0;
        }
        try {
            return decode(reused, pcm, reusedSamples / (double) sampleRate);
        } finally {
            reused.reset();
            reusedSamples += pcm.length / 2;
        }
    }

    /** Feeds {@code pcm} and finalises, so that nothing of this audio's utterance state reaches the next call. */
    private static List<Segment> decode(Recognizer recognizer, byte[] pcm, double clock) {
        List<Segment> segments = new ArrayList<>();
        byte[] block = new byte[BLOCK];
        boolean endpoint = false;
        for (int at = 0; at < pcm.length; at += BLOCK) {
            int n = Math.min(BLOCK, pcm.length - at);
            System.arraycopy(pcm, at, block, 0, n);
            endpoint = recognizer.acceptWaveForm(block, n);
            if (endpoint) {
                addSegment(recognizer.getResult(), clock, segments);
            }
        }
        if (endpoint) {
            // Vosk finalises, and drops its feature pipeline with the speaker adaptation, only from a running
            // utterance: reopen one with no audio, so that the next call does not start adapted to this speaker.
            recognizer.acceptWaveForm(block, 0);
        }
        addSegment(recognizer.getFinalResult(), clock, segments);
        return segments;
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
            if (reused != null) {
                reused.close();
                reused = null;
            }
        }
    }
}
