package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.ChunkInfo;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardViewsTest {
    private static final long NOW = 1_700_000_005_000L;
    private static final long TENANT_A = 1234562230123456L;
    private static final long TENANT_B = 7654321000000001L;

    private static JobStatus job(String id, long userId, JobState state, long created) {
        JobRequest r = new JobRequest();
        r.jobId = id;
        r.userId = userId;
        r.title = "title of " + id;
        r.inputFile = "/media/" + id + ".wav";
        r.createTime = created;
        JobStatus s = JobStatus.of(r, state, created);
        s.mediaSeconds = 60;
        return s;
    }

    private static ChunkInfo chunk(int seq, double from, double to, int subtask, long started, long ended) {
        ChunkInfo c = new ChunkInfo(seq, from, to, subtask);
        c.startedAt = started;
        c.endedAt = ended;
        return c;
    }

    @Test
    void aFinishedJobsRowTellsHowLongItTookAndItsRealTimeFactor() {
        JobStatus finished = job("j1", TENANT_A, JobState.Finished, NOW - 30_000);
        finished.modifiedTime = NOW - 15_000;
        finished.chunksDone = 3;
        finished.chunksTotal = 3;

        JsonNode row = DashboardViews.row(finished, NOW);

        assertThat(row.path("percent").asDouble()).isEqualTo(100);
        assertThat(row.path("tookSeconds").asDouble()).isEqualTo(15);
        assertThat(row.path("realTimeFactor").asDouble()).isEqualTo(0.25);
        assertThat(row.path("finished").asLong()).isEqualTo(NOW - 15_000);
        assertThat(row.path("userId").asText()).as("as text: a 16-digit id is past JavaScript's exact numbers")
                .isEqualTo("1234562230123456");
    }

    @Test
    void anExecutingJobHasNoFinishOrFactorYetAndItsTimeRunsOn() {
        JobStatus running = job("j1", TENANT_A, JobState.Executing, NOW - 10_000);
        running.chunksDone = 1;
        running.chunksTotal = 4;

        JsonNode row = DashboardViews.row(running, NOW);

        assertThat(row.path("percent").asDouble()).isEqualTo(25);
        assertThat(row.has("finished")).isFalse();
        assertThat(row.has("realTimeFactor")).isFalse();
        assertThat(row.path("tookSeconds").asDouble()).isEqualTo(10);
    }

    @Test
    void oneJobShowsWordsOnlyWhereTheJobAskedForThem() {
        JobStatus finished = job("j1", TENANT_A, JobState.Finished, NOW - 30_000);
        finished.segments = new Segment[] {new Segment("Hello", 1.0, 1.5, new Word[] {new Word("hello", 1.0, 1.5, 0.9)})};
        finished.chunks = new ChunkInfo[] {chunk(0, 0, 20, 1, NOW - 20_000, NOW - 18_000)};

        JsonNode plain = DashboardViews.job(finished, NOW);
        finished.request.wordLevel = true;
        JsonNode withWords = DashboardViews.job(finished, NOW);

        assertThat(plain.path("segments").get(0).path("content").asText()).isEqualTo("Hello");
        assertThat(plain.path("segments").get(0).has("words")).isFalse();
        assertThat(withWords.path("segments").get(0).path("words").get(0).path("word").asText()).isEqualTo("hello");
        assertThat(plain.path("chunks").get(0).path("subtask").asInt()).isEqualTo(1);
        assertThat(plain.path("chunks").get(0).path("endedAt").asLong() - plain.path("chunks").get(0).path("startedAt").asLong())
                .isEqualTo(2_000);
    }

    @Test
    void theServiceCountsAudioByWhenItsChunksEndedAndTheBacklogByChunksStillToDo() {
        JobStatus running = job("run", TENANT_A, JobState.Executing, NOW - 60_000);
        running.modifiedTime = NOW - 1_000;
        running.chunksDone = 2;
        running.chunksTotal = 5;
        running.chunks = new ChunkInfo[] {
            chunk(0, 0, 20, 0, NOW - 9_000, NOW - 4_000),          // in the last 10 s
            chunk(1, 20, 30, 1, NOW - 200_000, NOW - 100_000),     // earlier in the window
        };
        JobStatus old = job("old", TENANT_B, JobState.Finished, NOW - 3_600_000);
        old.modifiedTime = NOW - 3_500_000;
        old.chunks = new ChunkInfo[] {chunk(0, 0, 60, 0, NOW - 3_560_000, NOW - 3_500_000)};
        JobStatus failed = job("bad", TENANT_B, JobState.Failed, NOW - 5_000);
        failed.errorCode = "InputFile.NotFound";
        JobStatus waiting = job("new", TENANT_B, JobState.Created, NOW);

        JsonNode service = DashboardViews.service(List.of(running, old, failed, waiting), NOW, null);

        assertThat(service.path("audioSecondsPerSecond").asDouble()).isEqualTo(2.0);
        double total = 0;
        for (JsonNode point : service.path("throughput")) {
            total += point.path("audioSecondsPerSecond").asDouble() * DashboardViews.BUCKET_MILLIS / 1000;
        }
        assertThat(total).as("audio seconds over the window").isEqualTo(30.0);
        assertThat(service.path("backlog").path("created").asInt()).isEqualTo(1);
        assertThat(service.path("backlog").path("executing").asInt()).isEqualTo(1);
        assertThat(service.path("backlog").path("chunksWaiting").asInt()).isEqualTo(3);
        assertThat(service.path("jobsByState").path("Finished").asInt()).isEqualTo(1);
        assertThat(service.path("failuresByCode").path("InputFile.NotFound").asInt()).isEqualTo(1);
        assertThat(service.path("tenants")).extracting(t -> t.path("userId").asText())
                .containsExactly(String.valueOf(TENANT_A), String.valueOf(TENANT_B));
        assertThat(service.path("tenants").get(1).path("audioSeconds").asDouble()).isEqualTo(60);
        assertThat(service.has("flinkUi")).isFalse();
    }

    @Test
    void onlyLoopbackNamesCountAsThisMachine() {
        assertThat(Dashboard.loopbackName("127.0.0.1:8080")).isTrue();
        assertThat(Dashboard.loopbackName("localhost:8080")).isTrue();
        assertThat(Dashboard.loopbackName("[::1]:8080")).isTrue();
        assertThat(Dashboard.loopbackName("127.0.0.1")).isTrue();
        assertThat(Dashboard.loopbackName("dashboard.test:8080")).isFalse();
        assertThat(Dashboard.loopbackName("127.0.0.1.evil.example:8080")).isFalse();
        assertThat(Dashboard.loopbackName("localhost.evil.example")).isFalse();
        assertThat(Dashboard.loopbackName(null)).isFalse();
    }

    @Test
    void aSignInIsTakenFromAPageOfTheSameHostOnly() {
        assertThat(Dashboard.sameHost("http://127.0.0.1:8080", "127.0.0.1:8080")).isTrue();
        assertThat(Dashboard.sameHost("https://asr.example.com", "asr.example.com:8080")).as("behind a TLS proxy").isTrue();
        assertThat(Dashboard.sameHost("http://evil.example", "127.0.0.1:8080")).isFalse();
        assertThat(Dashboard.sameHost("http://asr.example.com.evil.example", "asr.example.com")).isFalse();
        assertThat(Dashboard.sameHost("null", "127.0.0.1:8080")).as("a sandboxed frame's origin").isFalse();
        assertThat(Dashboard.sameHost("http://127.0.0.1:8080", null)).isFalse();
    }
}
