package io.flinkasr.pipeline;

import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import io.flinkasr.records.ChunkInfo;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a 10 s clip's time goes, on an idle warm local stack and beside an hour of speech submitted just before
 * (as {@code ./flink-asr bench} runs its loaded clips): for each run, submit → its chunk's recognition began (the
 * API, Kafka, the chunker, the recognizer's queue), the recognition, its end → the Finished state written to the
 * states topic (the transcript assembled; the record's timestamp, read uncommitted), and written → seen by a
 * client polling GetSmartHandleJob every 50 ms (the checkpoint that commits it, and the API reading it).
 *
 * <p>Run with {@code mvn verify -Pbench -Dit.test=ClipTimelineBenchmark}.
 */
class ClipTimelineBenchmark {
    private static final int IDLE_RUNS = 10, LOADED_RUNS = 20;

    @TempDir Path tmp;

    /** One clip run as the client saw it. */
    private record Run(String jobId, long submittedAt, long seenAt) {}

    @Test
    void whereAClipsTimeGoesIdleAndBesideAnHourJustSubmitted() throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        List<SpeechSet.Recording> recordings = SpeechSet.load();
        Media.Joined hour = Media.joined(recordings, 37, 1.0, tmp, media.resolve("hour.flac"));
        Media.Joined warmUp = Media.joined(recordings, 3, 3.0, tmp, media.resolve("warm-up.flac"));
        Path clip = SpeechSet.dir().resolve("jfk.flac");
        Configuration config = TestStacks.asUsersRunIt(SpeechSet.dir(), media);
        try (LocalStack stack = LocalStack.start(config, tmp.resolve("data"), 0, null)) {
            AsrApi api = new AsrApi(stack.apiUrl());
            // warm-up, as a stack that has run for a while is: clips overtaking a longer file use each subtask's
            // second recognizer, whose graph cache is cold until it has decoded some speech
            api.await(api.submit(clip.toString()), Duration.ofMinutes(5));
            String longer = api.submit(warmUp.file().toString());
            for (int i = 0; i < 6; i++) {
                api.await(api.submit(clip.toString()), Duration.ofMinutes(5));
            }
            api.await(longer, Duration.ofMinutes(5));
            List<Run> idle = new ArrayList<>();
            for (int i = 0; i < IDLE_RUNS; i++) {
                idle.add(run(api, clip));
            }
            api.submit(hour.file().toString());
            List<Run> loaded = new ArrayList<>();
            for (int i = 0; i < LOADED_RUNS; i++) {
                long next = System.currentTimeMillis() + 1000;
                loaded.add(run(api, clip));
                Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
            }
            Map<String, Written> written = finishedStates(stack.bootstrapServers());
            System.out.printf(Locale.ROOT, "%nmachine: %d cores; the clip %s; beside %.0f s of speech submitted just before the first loaded run%n",
                    Runtime.getRuntime().availableProcessors(), clip.getFileName(), hour.seconds());
            print("idle warm stack", idle, written);
            print("beside the hour", loaded, written);
        }
    }

    private static Run run(AsrApi api, Path clip) throws Exception {
        long submitted = System.currentTimeMillis();
        String job = api.submit(clip.toString());
        while (true) {
            String state = api.call("GetSmartHandleJob", "JobId", job).body().path("State").asText();
            if (state.equals("Finished") || state.equals("Failed")) {
                return new Run(job, submitted, System.currentTimeMillis());
            }
            Thread.sleep(50);
        }
    }

    /** A job's Finished state as written: when the record was produced, and its one chunk's recognition. */
    private record Written(long producedAt, long startedAt, long endedAt) {}

    /** Each clip's first Finished state on the states topic, committed or not yet. */
    private static Map<String, Written> finishedStates(String bootstrap) {
        Map<String, Written> byJob = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : StatesTopic.records(bootstrap, "read_uncommitted")) {
            if (r.value() == null || byJob.containsKey(r.key())) {
                continue;
            }
            JobStatus status = Json.read(r.value(), JobStatus.class);
            if (status.state == JobState.Finished && status.chunks != null && status.chunks.length == 1) {
                ChunkInfo c = status.chunks[0];
                byJob.put(r.key(), new Written(r.timestamp(), c.startedAt, c.endedAt));
            }
        }
        return byJob;
    }

    private static void print(String title, List<Run> runs, Map<String, Written> written) {
        System.out.printf(Locale.ROOT, "%n%s: submit → Finished seen, and its parts (ms)%n", title);
        System.out.println("| run | total | submit → recognition began | recognition | → Finished written | → seen by the client |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        int i = 1;
        for (Run r : runs) {
            Written w = written.get(r.jobId());
            if (w == null) {
                System.out.printf(Locale.ROOT, "| %d | %d | ? | ? | ? | ? |%n", i++, r.seenAt() - r.submittedAt());
                continue;
            }
            System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %d |%n", i++, r.seenAt() - r.submittedAt(),
                    w.startedAt() - r.submittedAt(), w.endedAt() - w.startedAt(), w.producedAt() - w.endedAt(),
                    r.seenAt() - w.producedAt());
        }
    }
}
