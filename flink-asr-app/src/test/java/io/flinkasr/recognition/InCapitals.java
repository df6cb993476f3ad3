package io.flinkasr.recognition;

import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@link RecognizerFactory} for the upgrade test's second build of the job: the real recognizer, whose
 * words come back in capitals. A transcript's words are the same, compared without case, while each segment
 * shows which build recognised its chunk (the first build's segments have only their first letter capital).
 */
public final class InCapitals implements RecognizerFactory {
    private final RecognizerFactory real;

    public InCapitals(RecognizerFactory real) {
        this.real = real;
    }

    @Override
    public SpeechRecognizer create() {
        SpeechRecognizer recognizer = real.create();
        return new SpeechRecognizer() {
            @Override
            public List<Segment> recognize(byte[] pcm) {
                return capitals(recognizer.recognize(pcm));
            }

            @Override
            public Decoding start(byte[] pcm) {
                Decoding decoding = recognizer.start(pcm);
                return new Decoding() {
                    @Override
                    public boolean feed(int maxBytes) {
                        return decoding.feed(maxBytes);
                    }

                    @Override
                    public List<Segment> segments() {
                        return capitals(decoding.segments());
                    }

                    @Override
                    public void close() {
                        decoding.close();
                    }
                };
            }

            @Override
            public void close() {
                recognizer.close();
            }
        };
    }

    private static List<Segment> capitals(List<Segment> segments) {
        if (segments == null) {
            return null;
        }
        List<Segment> out = new ArrayList<>();
        for (Segment s : segments) {
            Word[] words = null;
            if (s.words != null) {
                words = new Word[s.words.length];
                for (int i = 0; i < words.length; i++) {
                    Word w = s.words[i];
                    words[i] = new Word(w.word.toUpperCase(Locale.ROOT), w.start, w.end, w.conf);
                }
            }
            out.add(new Segment(s.content.toUpperCase(Locale.ROOT), s.from, s.to, words));
        }
        return out;
    }
}
