package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.store.JobStore;
import io.flinkasr.records.ChunkInfo;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import org.junit.jupiter.api.Test;

/**
 * A Finished job's result rendered once and kept in the store must answer exactly what rendering it from
 * the segments at every read answered: the same AiResult text (quotes, backslashes, non-ASCII, words), the
 * same Output and the same Chunks.
 */
class FinishedResultTest {

    @Test
    void theStoredResultAnswersWhatTheSegmentsWould() throws Exception {
        for (boolean wordLevel : new boolean[] {false, true}) {
            JobStatus finished = finished(wordLevel);
            JsonNode fromSegments = Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(IceResponses.job("r-1", finished)));

            try (JobStore store = JobStore.temporary(8 << 20)) {
                byte[] json = Json.bytes(finished);
                store.putJob(json, null, FinishedResult.render(finished), null);
                JobStatus summary = Json.read(store.summary("job-1"), JobStatus.class);
                assertThat(summary.segments).as("the summary holds no segments").isNull();
                FinishedResult stored = FinishedResult.of(store.result("job-1"));
                JsonNode fromStore = Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(IceResponses.job("r-1", summary, stored)));

                assertThat(fromStore).isEqualTo(fromSegments);
                assertThat(Json.MAPPER.readTree(IceResponses.job("r-1", summary, stored).toString())).as("as text too").isEqualTo(fromSegments);
                assertThat(fromStore.path("JobResult").path("AiResult").asText()).contains("\\\"quoted\\\"", "back\\\\slash", "Grüße 你好");
                assertThat(fromStore.path("Chunks")).hasSize(2);
                assertThat(fromStore.path("JobResult").path("AiResult").asText().contains("\"words\"")).isEqualTo(wordLevel);
                assertThat(stored.aiResult()).isEqualTo(fromSegments.path("JobResult").path("AiResult").asText());
            }
        }
    }

    @Test
    void aTranscriptIsEscapedByteForByteAsJacksonEscapesItsText() throws Exception {
        Segment tricky = new Segment("say \"hi\" \\ back\\slash\nnew line\ttab \u0001 Grüße 你好 \uD83C\uDFA4 </script> \u2028", 0.1, 2.0000000000000004, null);
        byte[] json = Json.MAPPER.writeValueAsBytes(new Segment[] {tricky, tricky});
        byte[] asJacksonWould = Json.MAPPER.writeValueAsBytes(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(FinishedResult.escaped(json)).isEqualTo(java.util.Arrays.copyOfRange(asJacksonWould, 1, asJacksonWould.length - 1));
    }

    @Test
    void aResultStoredBeforeTheDeflatedTextIsReadAsItWas() throws Exception {
        JobStatus finished = finished(false);
        FinishedResult now = FinishedResult.of(FinishedResult.render(finished));
        byte[] text = GzipAnswer.plain(java.util.List.of(now.textPart()));
        byte[] chunks = GzipAnswer.plain(java.util.List.of(now.chunksPart()));
        byte[] older = java.nio.ByteBuffer.allocate(4 + text.length + chunks.length).putInt(text.length).put(text).put(chunks).array();

        FinishedResult read = FinishedResult.of(older);
        assertThat(read.aiResult()).isEqualTo(now.aiResult());
        assertThat(GzipAnswer.plain(java.util.List.of(read.chunksPart()))).isEqualTo(chunks);
        assertThat(GzipAnswerTest.inflate(GzipAnswer.of(java.util.List.of(read.textPart())))).as("deflated when asked for").isEqualTo(text);
    }

    @Test
    void onlyAFinishedJobHasOne() {
        JobStatus executing = finished(false);
        executing.state = JobState.Executing;
        assertThat(FinishedResult.render(executing)).isNull();
    }

    @Test
    void aJobRemovedFromTheStoreTakesItsResultWithIt() throws Exception {
        JobStatus finished = finished(false);
        try (JobStore store = JobStore.temporary(8 << 20)) {
            store.putJob(Json.bytes(finished), null, FinishedResult.render(finished), null);
            store.deleteJob("job-1", null);
            assertThat(store.result("job-1")).isNull();
            assertThat(store.summary("job-1")).isNull();
        }
    }

    private static JobStatus finished(boolean wordLevel) {
        JobRequest request = new JobRequest();
        request.jobId = "job-1";
        request.userId = 7;
        request.title = "t";
        request.inputFile = "https://example.com/a.wav";
        request.wordLevel = wordLevel;
        request.createTime = 1_700_000_000_000L;
        JobStatus status = JobStatus.of(request, JobState.Finished, request.createTime + 5000);
        StringBuilder longText = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            longText.append("word").append(i).append(' ');
        }
        status.segments = new Segment[] {
            new Segment("a \"quoted\" back\\slash", 0.0, 1.25, new Word[] {new Word("a", 0.0, 0.2, 0.9)}),
            new Segment("Grüße 你好 " + longText, 1.25, 3.5, null),
        };
        ChunkInfo one = new ChunkInfo();
        one.seq = 0;
        one.to = 25.5;
        ChunkInfo two = new ChunkInfo();
        two.seq = 1;
        two.from = 25.5;
        two.to = 40.125;
        two.subtask = 1;
        status.chunks = new ChunkInfo[] {one, two};
        status.chunksDone = 2;
        status.chunksTotal = 2;
        return status;
    }
}
