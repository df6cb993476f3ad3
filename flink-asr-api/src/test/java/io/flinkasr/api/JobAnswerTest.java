package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.api.store.JobStore;
import io.flinkasr.records.Callback;
import io.flinkasr.records.CallbackState;
import io.flinkasr.records.ChunkInfo;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GetSmartHandleJob's answer put together from the parts stored with the job must be, byte for byte, the
 * answer rendered from the job's state: every state, with and without UserData, words, a callback, an
 * error, and text that JSON escapes.
 */
class JobAnswerTest {
    private static final String REQUEST_ID = "0C9A1B9E-6F1E-4B7B-9E55-3C1D2A7F00AA";

    @Test
    void theStoredPartsAnswerWhatTheStateWould() throws Exception {
        for (JobStatus status : states()) {
            for (Callback callback : new Callback[] {null, callback()}) {
                FinishedResult result = status.state == JobState.Finished ? FinishedResult.of(FinishedResult.render(status)) : null;
                ObjectNode rendered = IceResponses.job(REQUEST_ID, status, result);
                if (callback != null) {
                    rendered.set("Callback", NotifyAddresses.shown(callback));
                }
                byte[] shown = callback == null ? null : Json.MAPPER.writeValueAsBytes(NotifyAddresses.shown(callback));
                List<GzipAnswer.Part> parts = JobAnswer.parts(REQUEST_ID, JobAnswer.frame(status), result, shown);
                byte[] fromParts = GzipAnswer.plain(parts);

                assertThat(new String(fromParts, StandardCharsets.UTF_8)).as(status + (callback == null ? "" : " with a callback"))
                        .isEqualTo(new String(Json.MAPPER.writeValueAsBytes(rendered), StandardCharsets.UTF_8));
                assertThat(fromParts).hasSize(GzipAnswer.length(parts));
                assertThat(GzipAnswerTest.inflate(GzipAnswer.of(parts))).as("gzip'd, " + status).isEqualTo(fromParts);
                assertThat(JobAnswer.owner(JobAnswer.frame(status))).isEqualTo(status.request.userId);
                assertThat(JobAnswer.finished(JobAnswer.frame(status))).isEqualTo(status.state == JobState.Finished);
            }
        }
    }

    @Test
    void aStateStoredWithoutAnAnswerTakesTheEarlierOneAway() throws Exception {
        List<JobStatus> states = states();
        JobStatus created = states.get(0);
        try (JobStore store = JobStore.temporary(8 << 20)) {
            byte[] json = Json.bytes(created);
            store.putJob(io.flinkasr.api.store.JobHead.parse(json), json, JobStore.summaryOf(json, created), null, null,
                    JobAnswer.frame(created), null);
            assertThat(store.answer(created.request.jobId)).isEqualTo(JobAnswer.frame(created));

            JobStatus executing = Json.read(json, JobStatus.class);
            executing.state = JobState.Executing;
            executing.modifiedTime += 1000;
            store.putJob(Json.bytes(executing), null); // a state without one: the Created answer must not stay
            assertThat(store.answer(created.request.jobId)).isNull();

            byte[] next = Json.bytes(executing);
            store.putJob(io.flinkasr.api.store.JobHead.parse(next), next, JobStore.summaryOf(next, executing), null, null,
                    JobAnswer.frame(executing), null);
            store.deleteJob(created.request.jobId, null);
            assertThat(store.answer(created.request.jobId)).as("expired or deleted with its job").isNull();
        }
    }

    private static List<JobStatus> states() {
        JobStatus created = JobStatus.of(request("job-1", null, false), JobState.Created, 0);
        JobStatus executing = JobStatus.of(request("job-2", "{\"NotifyAddress\":\"https://example.com/h?a=\\\"b\\\"\"}", false),
                JobState.Executing, 1_700_000_003_000L);
        executing.chunksDone = 3;
        executing.chunksTotal = 7;
        executing.mediaSeconds = 171.25;
        executing.chunks = new ChunkInfo[] {chunk(0, 0, 25.5, 0)}; // the dashboard's: not in the answer
        JobStatus failed = JobStatus.of(request("job-3", "ü \u0001 </script>", false), JobState.Failed, 1_700_000_004_000L);
        failed.errorCode = "InvalidParameter.InputFile";
        failed.errorMessage = "The file \"a.wav\" is not media: Grüße 你好";
        JobStatus finished = JobStatus.of(request("job-4", "u", false), JobState.Finished, 1_700_000_005_000L);
        finished.segments = new Segment[] {new Segment("a \"quoted\" back\\slash", 0.0, 1.25, new Word[] {new Word("a", 0.0, 0.2, 0.9)}),
            new Segment("Grüße 你好 \uD83C\uDFA4", 1.25, 3.5000000000000004, null)};
        finished.chunks = new ChunkInfo[] {chunk(0, 0, 25.5, 0), chunk(1, 25.5, 40.125, 1)};
        finished.chunksDone = 2;
        finished.chunksTotal = 2;
        finished.mediaSeconds = 40.125;
        JobStatus withWords = Json.read(Json.bytes(finished), JobStatus.class);
        withWords.request = request("job-5", null, true);
        JobStatus noChunks = Json.read(Json.bytes(finished), JobStatus.class);
        noChunks.request = request("job-6", null, false);
        noChunks.chunks = null;
        noChunks.segments = new Segment[0];
        JobStatus longTranscript = Json.read(Json.bytes(finished), JobStatus.class);
        longTranscript.request = request("job-7", "u", false);
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            words.append(i % 7 == 0 ? "\"said\" " : "word").append(i).append(' ');
        }
        longTranscript.segments = new Segment[] {new Segment(words.toString(), 0, 600, null), new Segment("Grüße", 600, 601.5, null)};
        assertThat(FinishedResult.render(longTranscript).length).as("long enough to be kept deflated").isGreaterThan(FinishedResult.DEFLATED_FROM);
        return List.of(created, executing, failed, finished, withWords, noChunks, longTranscript);
    }

    private static JobRequest request(String jobId, String userData, boolean wordLevel) {
        JobRequest request = new JobRequest();
        request.jobId = jobId;
        request.userId = 1_234_567_890_123L;
        request.title = "a \"title\"";
        request.description = jobId.endsWith("2") ? "desc" : null;
        request.inputFile = "oss://bucket/a b.wav";
        request.userData = userData;
        request.wordLevel = wordLevel;
        request.durationText = jobId.endsWith("3") ? "30" : null;
        request.createTime = 1_700_000_000_000L;
        return request;
    }

    private static ChunkInfo chunk(int seq, double from, double to, int subtask) {
        ChunkInfo c = new ChunkInfo();
        c.seq = seq;
        c.from = from;
        c.to = to;
        c.subtask = subtask;
        return c;
    }

    private static Callback callback() {
        Callback c = new Callback();
        c.jobId = "job";
        c.eventId = "ev-1";
        c.state = CallbackState.Pending;
        c.attempts = 2;
        c.nextAttemptAt = 1_700_000_009_000L;
        c.lastError = "HTTP 500 \"down\"";
        return c;
    }
}
