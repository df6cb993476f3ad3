package io.flinkasr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Every input of one run, in the media folder the stack reads: the batch (the recordings as they are,
 * several times, and longer files joined from them in shuffled orders), the 10 s clip, the long input run
 * alone and the long input that loads the stack. Joined files an earlier run left in the media folder are
 * reused (they appear there only once complete).
 */
public record BenchInputs(List<BenchInput> batch, BenchInput clip, BenchInput longFile, BenchInput load) {
    static final String CLIP_NAME = "jfk.flac";

    public BenchInputs {
        batch = List.copyOf(batch);
    }

    public static BenchInputs prepare(BenchPlan plan, List<Recording> recordings, Path mediaDir, Path work, String ffmpeg)
            throws IOException, InterruptedException {
        if (recordings.isEmpty()) {
            throw new IllegalArgumentException("the speech set has no recordings");
        }
        Files.createDirectories(mediaDir);
        List<Recording> copies = new ArrayList<>();
        for (Recording r : recordings) {
            Path copy = mediaDir.resolve(r.name());
            // a copy, not a link: the media roots refuse files with more than one hard link
            Files.copy(r.file(), copy, StandardCopyOption.REPLACE_EXISTING);
            copies.add(new Recording(copy, r.seconds(), r.transcript()));
        }

        List<BenchInput> batch = new ArrayList<>();
        List<Recording> longestFirst = new ArrayList<>(copies);
        longestFirst.sort(Comparator.comparingDouble(Recording::seconds).reversed());
        for (int round = 0; round < plan.recordingRounds(); round++) {
            for (Recording r : longestFirst.subList(0, Math.min(plan.recordingsPerRound(), longestFirst.size()))) {
                batch.add(new BenchInput(r.name(), r.file(), r.seconds()));
            }
        }
        for (int i = 0; i < plan.joinedSeconds().size(); i++) {
            double target = plan.joinedSeconds().get(i);
            double gap = 0.6 + 0.2 * (i % 5);
            List<Recording> sequence = shuffledUntil(copies, target, gap, new Random(i + 1));
            String name = String.format(Locale.ROOT, "joined-%02d-%.0fs-%s.flac", i + 1, target, fingerprint(sequence, gap));
            JoinedSpeech joined = joinOnce(ffmpeg, sequence, gap, work, mediaDir.resolve(name));
            batch.add(new BenchInput(name, joined.file(), joined.seconds()));
        }

        Recording clip = copies.stream().filter(r -> r.name().equals(CLIP_NAME)).findFirst()
                .orElseGet(() -> copies.stream().min(Comparator.comparingDouble(r -> Math.abs(r.seconds() - 10))).orElseThrow());

        List<Recording> rounds = new ArrayList<>();
        for (int round = 0; round < plan.longRounds(); round++) {
            rounds.addAll(copies);
        }
        JoinedSpeech longFile = joinOnce(ffmpeg, rounds, BenchPlan.LONG_GAP_SECONDS, work,
                mediaDir.resolve(String.format(Locale.ROOT, "long-%dx-%s.flac", plan.longRounds(),
                        fingerprint(rounds, BenchPlan.LONG_GAP_SECONDS))));

        double round = copies.stream().mapToDouble(r -> r.seconds() + BenchPlan.LOAD_GAP_SECONDS).sum();
        int loadRounds = (int) Math.ceil(plan.loadSeconds() / round);
        List<Recording> load = new ArrayList<>();
        for (int r = 0; r < loadRounds; r++) {
            load.addAll(copies);
        }
        JoinedSpeech loadFile = joinOnce(ffmpeg, load, BenchPlan.LOAD_GAP_SECONDS, work,
                mediaDir.resolve(String.format(Locale.ROOT, "load-%dx-%s.flac", loadRounds,
                        fingerprint(load, BenchPlan.LOAD_GAP_SECONDS))));

        return new BenchInputs(batch,
                new BenchInput(clip.name(), clip.file(), clip.seconds()),
                new BenchInput(longFile.file().getFileName().toString(), longFile.file(), longFile.seconds()),
                new BenchInput(loadFile.file().getFileName().toString(), loadFile.file(), loadFile.seconds()));
    }

    /** Seconds of audio in the batch. */
    public double batchSeconds() {
        return batch.stream().mapToDouble(BenchInput::seconds).sum();
    }

    /** The recordings in a shuffled order, cycled until they make at least {@code target} seconds. */
    static List<Recording> shuffledUntil(List<Recording> recordings, double target, double gap, Random random) {
        List<Recording> order = new ArrayList<>(recordings);
        Collections.shuffle(order, random);
        List<Recording> sequence = new ArrayList<>();
        double seconds = 0;
        for (int i = 0; seconds < target; i = (i + 1) % order.size()) {
            sequence.add(order.get(i));
            seconds += order.get(i).seconds() + gap;
        }
        return sequence;
    }

    /** Names a joined file by what is in it, so that a file an earlier run left is reused only when it is the same. */
    static String fingerprint(List<Recording> sequence, double gap) {
        StringBuilder key = new StringBuilder(String.valueOf(gap));
        for (Recording r : sequence) {
            key.append('|').append(r.name()).append(':').append(r.seconds());
        }
        return String.format(Locale.ROOT, "%08x", key.toString().hashCode());
    }

    private static JoinedSpeech joinOnce(String ffmpeg, List<Recording> sequence, double gap, Path work, Path out)
            throws IOException, InterruptedException {
        return Files.exists(out) ? JoinedSpeech.describe(sequence, gap, out) : JoinedSpeech.join(ffmpeg, sequence, gap, work, out);
    }
}
