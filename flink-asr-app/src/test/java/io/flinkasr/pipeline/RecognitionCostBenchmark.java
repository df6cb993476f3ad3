package io.flinkasr.pipeline;

import io.flinkasr.bench.JoinedSpeech;
import io.flinkasr.bench.Recording;
import io.flinkasr.bench.SpeechManifest;
import io.flinkasr.media.AudioDecoder;
import io.flinkasr.media.ChunkPlanner;
import io.flinkasr.recognition.RecognizerMode;
import io.flinkasr.recognition.SpeechRecognizer;
import io.flinkasr.recognition.VoskRecognizer;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A narrow benchmark: Vosk's CPU per audio second, in one thread, decoding the same audio whole
 * (as raw Vosk does) and cut the way the chunker cuts it (windows of at most 25 s cut at pauses, each but
 * the first heard with {@code context} seconds before it, fed in 2 s turns to one reused recognizer), with
 * the word error rate of each. CPU is the thread's own (Vosk runs on the calling thread), so other load on
 * the machine moves it little. With {@code -Dflinkasr.bench.lanes=true}, instead: the chunks on one recognizer
 * against two recognizers taking turns (RecognizeChunk's two lanes).
 *
 * <pre>mvn verify -Pbench -Dit.test=RecognitionCostBenchmark [-Dflinkasr.bench.rounds=2] [-Dflinkasr.bench.contexts=3,1,0]</pre>
 */
class RecognitionCostBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final double MIN = 15, MAX = 25, WHOLE = 40, OVERLAP = 1.5;

    record Input(String name, byte[] pcm, String transcript) {
        double seconds() {
            return pcm.length / (double) AudioDecoder.BYTES_PER_SECOND;
        }
    }

    @Test
    void vosksCpuPerAudioSecondWholeAndCutIntoChunks() throws Exception {
        int rounds = Integer.getInteger("flinkasr.bench.rounds", 2);
        List<Double> contexts = new ArrayList<>();
        for (String c : System.getProperty("flinkasr.bench.contexts", "3,1,0").split(",")) {
            contexts.add(Double.parseDouble(c.strip()));
        }
        String model = System.getProperty("flinkasr.model.path", "target/model/model-en-us");
        Path speech = SpeechSet.dir();
        AudioDecoder ffmpeg = new AudioDecoder("ffmpeg", Duration.ofMinutes(5));
        List<Recording> recordings = SpeechManifest.read(speech);
        List<Input> inputs = new ArrayList<>();
        for (Recording r : recordings) {
            inputs.add(new Input(r.name(), ffmpeg.decode(r.file(), 0, 1e6), r.transcript()));
        }
        Path work = Files.createDirectories(Path.of("target/recognition-cost"));
        List<Recording> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.addAll(recordings);
        }
        JoinedSpeech joined = JoinedSpeech.join("ffmpeg", four, 0.7, work, work.resolve("joined.flac"));
        inputs.add(new Input("joined", ffmpeg.decode(joined.file(), 0, 1e6), joined.transcript()));
        double audio = inputs.stream().mapToDouble(Input::seconds).sum();
        System.out.printf(Locale.ROOT, "%d inputs, %.1f s of audio (the long one %.1f s)%n", inputs.size(), audio,
                inputs.get(inputs.size() - 1).seconds());

        if (Boolean.getBoolean("flinkasr.bench.lanes")) {
            lanes(model, inputs, rounds);
            return;
        }
        try (VoskRecognizer recognizer = new VoskRecognizer(model, AudioDecoder.SAMPLE_RATE, RecognizerMode.REUSED)) {
            recognizer.recognize(inputs.get(0).pcm()); // warm
            for (int round = 1; round <= rounds; round++) {
                report(round, "whole", recognizer, inputs, -1);
                for (double context : contexts) {
                    report(round, "chunks, context " + context + " s", recognizer, inputs, context);
                }
            }
        }
    }

    private static void report(int round, String how, SpeechRecognizer recognizer, List<Input> inputs, double context) {
        long cpu = 0;
        double audio = 0, fed = 0;
        int errors = 0, words = 0;
        StringBuilder perInput = new StringBuilder();
        for (Input input : inputs) {
            long t0 = THREADS.getCurrentThreadCpuTime();
            Result r = context < 0 ? whole(recognizer, input.pcm()) : chunked(recognizer, input.pcm(), context);
            cpu += THREADS.getCurrentThreadCpuTime() - t0;
            audio += input.seconds();
            fed += r.fed();
            int e = WordErrorRate.errors(input.transcript(), r.text());
            errors += e;
            words += WordErrorRate.words(input.transcript()).length;
            perInput.append(' ').append(e);
        }
        System.out.printf(Locale.ROOT, "round %d %-22s %.4f CPU s / audio s, %.3f fed / audio, WER %.2f%% (%d/%d; errors per input:%s)%n",
                round, how, cpu / 1e9 / audio, fed / audio, 100.0 * errors / words, errors, words, perInput);
    }

    record Result(String text, double fed) {}

    /**
     * The chunks of the long input on one recognizer and those of the short ones on another, taking 2 s turns
     * (as RecognizeChunk's two lanes do when a short job overtakes a long one), against the same chunks one
     * after another on one recognizer.
     */
    private static void lanes(String model, List<Input> inputs, int rounds) {
        List<byte[]> longChunks = new ArrayList<>(), shortChunks = new ArrayList<>();
        for (Input input : inputs) {
            (input.seconds() > WHOLE ? longChunks : shortChunks).addAll(chunks(input.pcm(), 3.0));
        }
        double audio = 0;
        for (byte[] c : longChunks) audio += c.length / (double) AudioDecoder.BYTES_PER_SECOND;
        for (byte[] c : shortChunks) audio += c.length / (double) AudioDecoder.BYTES_PER_SECOND;
        try (VoskRecognizer a = new VoskRecognizer(model, AudioDecoder.SAMPLE_RATE, RecognizerMode.REUSED);
                VoskRecognizer b = new VoskRecognizer(model, AudioDecoder.SAMPLE_RATE, RecognizerMode.REUSED)) {
            a.recognize(inputs.get(0).pcm());
            b.recognize(inputs.get(0).pcm());
            for (int round = 1; round <= rounds; round++) {
                long t0 = THREADS.getCurrentThreadCpuTime();
                List<byte[]> all = new ArrayList<>(longChunks);
                all.addAll(shortChunks);
                turns(List.of(a), List.of(all));
                long one = THREADS.getCurrentThreadCpuTime() - t0;
                t0 = THREADS.getCurrentThreadCpuTime();
                turns(List.of(a, b), List.of(longChunks, shortChunks));
                long two = THREADS.getCurrentThreadCpuTime() - t0;
                System.out.printf(Locale.ROOT, "round %d: %.1f s of chunks; one recognizer %.4f, two lanes taking turns %.4f CPU s / audio s%n",
                        round, audio, one / 1e9 / audio, two / 1e9 / audio);
            }
        }
    }

    /** Feeds each queue's chunks to its recognizer, 2 s per turn, the queues taking turns. */
    private static void turns(List<SpeechRecognizer> recognizers, List<List<byte[]>> queues) {
        int n = recognizers.size();
        int[] next = new int[n];
        SpeechRecognizer.Decoding[] running = new SpeechRecognizer.Decoding[n];
        boolean any = true;
        while (any) {
            any = false;
            for (int i = 0; i < n; i++) {
                if (running[i] == null && next[i] < queues.get(i).size()) {
                    running[i] = recognizers.get(i).start(queues.get(i).get(next[i]++));
                }
                if (running[i] != null) {
                    any = true;
                    if (running[i].feed(2 * AudioDecoder.BYTES_PER_SECOND)) {
                        running[i] = null;
                    }
                }
            }
        }
    }

    /** The chunks (context included) as the chunker cuts the media. */
    private static List<byte[]> chunks(byte[] media, double context) {
        List<byte[]> out = new ArrayList<>();
        ChunkPlanner planner = new ChunkPlanner(MIN, MAX);
        double end = media.length / (double) AudioDecoder.BYTES_PER_SECOND;
        double position = 0;
        int seq = 0;
        while (true) {
            double want = MAX;
            boolean last = false;
            if ((seq == 0 && end <= WHOLE + 0.01) || end - position <= want + 0.01) {
                want = end - position;
                last = true;
            }
            double lead = seq == 0 ? 0 : Math.min(context, position);
            byte[] heard = Arrays.copyOfRange(media, AudioDecoder.bytesOf(position - lead),
                    Math.min(media.length, AudioDecoder.bytesOf(position + want)));
            int leadBytes = Math.min(AudioDecoder.bytesOf(lead), heard.length);
            byte[] pcm = Arrays.copyOfRange(heard, leadBytes, heard.length);
            boolean endOfMedia = last || pcm.length < AudioDecoder.bytesOf(want) - 320;
            ChunkPlanner.Cut cut = planner.cut(pcm, endOfMedia);
            if (cut.bytes() > 0) {
                out.add(Arrays.copyOf(heard, leadBytes + cut.bytes()));
                position += cut.bytes() / (double) AudioDecoder.BYTES_PER_SECOND - (endOfMedia || cut.inPause() ? 0 : OVERLAP);
                seq++;
            }
            if (endOfMedia) {
                return out;
            }
        }
    }

    private static Result whole(SpeechRecognizer recognizer, byte[] pcm) {
        StringBuilder text = new StringBuilder();
        for (Segment s : recognizer.recognize(pcm)) {
            text.append(s.content).append(' ');
        }
        return new Result(text.toString(), pcm.length / (double) AudioDecoder.BYTES_PER_SECOND);
    }

    /** As ChunkMedia cuts and RecognizeChunk feeds, and AssembleTranscript joins at the seams. */
    private static Result chunked(SpeechRecognizer recognizer, byte[] media, double context) {
        ChunkPlanner planner = new ChunkPlanner(MIN, MAX);
        int bps = AudioDecoder.BYTES_PER_SECOND;
        double end = media.length / (double) bps;
        double position = 0, overlapNext = 0;
        int seq = 0;
        double fed = 0;
        List<List<Word>> chunks = new ArrayList<>();
        List<double[]> seams = new ArrayList<>(); // {seam} per chunk after the first
        while (true) {
            double want = MAX;
            boolean last = false;
            boolean whole = seq == 0 && end <= WHOLE + 0.01;
            if (whole || end - position <= want + 0.01) {
                want = end - position;
                last = true;
            }
            double lead = seq == 0 ? 0 : Math.min(context, position);
            int from = AudioDecoder.bytesOf(position - lead);
            int to = Math.min(media.length, AudioDecoder.bytesOf(position + want));
            byte[] heard = Arrays.copyOfRange(media, from, to);
            int leadBytes = Math.min(AudioDecoder.bytesOf(lead), heard.length);
            byte[] pcm = Arrays.copyOfRange(heard, leadBytes, heard.length);
            boolean endOfMedia = last || pcm.length < AudioDecoder.bytesOf(want) - 320;
            ChunkPlanner.Cut cut = planner.cut(pcm, endOfMedia);
            if (cut.bytes() > 0) {
                double offset = position - leadBytes / (double) bps;
                byte[] chunk = Arrays.copyOf(heard, leadBytes + cut.bytes());
                fed += chunk.length / (double) bps;
                SpeechRecognizer.Decoding decoding = recognizer.start(chunk);
                while (!decoding.feed(2 * bps)) {
                    // turns of 2 s, as RecognizeChunk takes them
                }
                List<Word> words = new ArrayList<>();
                for (Segment s : decoding.segments()) {
                    for (Word w : s.words) {
                        words.add(new Word(w.word, w.start + offset, w.end + offset, w.conf));
                    }
                }
                chunks.add(words);
                seams.add(new double[] {offset + leadBytes / (double) bps + overlapNext / 2,
                        (overlapNext > 0 || leadBytes > 0) ? 1 : 0});
                double advance = cut.bytes() / (double) bps;
                overlapNext = endOfMedia || cut.inPause() ? 0 : OVERLAP;
                position += advance - overlapNext;
                seq++;
            }
            if (endOfMedia) {
                break;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chunks.size(); i++) {
            double lo = i > 0 && seams.get(i)[1] > 0 ? seams.get(i)[0] : Double.NEGATIVE_INFINITY;
            double hi = i + 1 < chunks.size() && seams.get(i + 1)[1] > 0 ? seams.get(i + 1)[0] : Double.POSITIVE_INFINITY;
            for (Word w : chunks.get(i)) {
                double middle = (w.start + w.end) / 2;
                if (middle >= lo && middle < hi) {
                    text.append(w.word).append(' ');
                }
            }
        }
        return new Result(text.toString(), fed);
    }

}
