package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.testing.Await;
import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import io.flinkasr.local.TestStacks;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local} keeps everything under its data folder: stopped while a long job is being recognised and
 * started again on the same folder, it still shows every earlier job, and the interrupted job resumes
 * from the latest checkpoint and finishes once, with a whole transcript.
 */
class LocalRestartITCase {
    @TempDir Path tmp;

    private static Configuration config(Path media) {
        Configuration config = TestStacks.atParallelismTwo(SpeechSet.dir(), media);
        config.set(AsrOptions.CHUNK_MIN_SECONDS, 6.0);
        config.set(AsrOptions.CHUNK_MAX_SECONDS, 12.0);
        config.set(AsrOptions.CHUNK_LONGEST_SECONDS, 12.0);
        return config;
    }

    @Test
    void aRestartKeepsEveryJobAndFinishesTheInterruptedOne() throws Exception {
        Path media = tmp.resolve("media");
        java.nio.file.Files.createDirectories(media);
        Media.Joined longInput = Media.joined(SpeechSet.load(), 2, 1.0, tmp, media.resolve("long.flac"));
        Path data = tmp.resolve("data");

        String shortJob;
        String longJob;
        JsonNode shortResult;
        try (LocalStack first = LocalStack.start(config(media), data, 0, null)) {
            AsrApi api = new AsrApi(first.apiUrl());
            shortJob = api.submit(SpeechSet.dir().resolve("jfk.flac").toString());
            shortResult = api.await(shortJob, Duration.ofMinutes(3));
            assertThat(shortResult.path("State").asText()).isEqualTo("Finished");
            longJob = api.submit(longInput.file().toString());
            // stop while the long job is under way: some chunks done, not all
            String job = longJob;
            JsonNode progress;
            try {
                progress = Await.until("three chunks of the long job done", Duration.ofMinutes(3), Duration.ofMillis(100),
                        () -> api.call("GetSmartHandleJob", "JobId", job).body(),
                        p -> p.path("Progress").path("ChunksDone").asInt() >= 3);
            } catch (java.util.concurrent.TimeoutException e) {
                progress = api.call("GetSmartHandleJob", "JobId", job).body(); // whatever it shows: Executing is checked
            }
            assertThat(progress.path("State").asText()).isEqualTo("Executing");
        }

        try (LocalStack second = LocalStack.start(config(media), data, 0, null)) {
            AsrApi api = new AsrApi(second.apiUrl());
            JsonNode shortAgain = api.call("GetSmartHandleJob", "JobId", shortJob).body();
            assertThat(shortAgain.path("State").asText()).isEqualTo("Finished");
            assertThat(shortAgain.path("JobResult").path("AiResult").asText())
                    .isEqualTo(shortResult.path("JobResult").path("AiResult").asText());

            JsonNode resumed = api.await(longJob, Duration.ofMinutes(5));
            assertThat(resumed.path("State").asText()).as("%s", resumed).isEqualTo("Finished");
            double wer = WordErrorRate.of(longInput.transcript(), AsrApi.text(AsrApi.segments(resumed)));
            System.out.printf("resumed long job: %d chunks, WER %.1f%%%n", resumed.path("Chunks").size(), 100 * wer);
            assertThat(wer).as("the resumed job lost no part of the media").isLessThan(0.10);
            int[] seqs = new int[resumed.path("Chunks").size()];
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = resumed.path("Chunks").get(i).path("Seq").asInt();
                assertThat(seqs[i]).isEqualTo(i);
            }
        }
    }
}
