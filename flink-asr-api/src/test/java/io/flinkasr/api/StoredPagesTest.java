package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.store.JobStore;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ListSmartJobs over the store: entries kept rendered in the tenant's index answer exactly what rendering
 * each job at every request answers, and a store holding jobs written without them (an older version's)
 * answers the same too.
 */
class StoredPagesTest {
    private static final long TENANT = 1234;

    @Test
    void storedEntriesAnswerWhatRenderingEachJobWould() throws Exception {
        List<JobStatus> jobs = jobs();
        try (JobStore rendered = JobStore.temporary(8 << 20); JobStore legacy = JobStore.temporary(8 << 20)) {
            for (int i = 0; i < jobs.size(); i++) {
                JobStatus job = jobs.get(i);
                rendered.putJob(Json.bytes(job), Json.MAPPER.writeValueAsBytes(IceResponses.listEntry(job)), null, null);
                // some jobs (every third that has not ended) stored again as an older version did: a mixed page
                legacy.putJob(Json.bytes(job), null);
                if (i % 3 == 0) {
                    rendered.putJob(Json.bytes(job), null);
                }
            }
            for (Map<String, String> ask : List.of(Map.of("MaxResults", "100"), Map.of("PageSize", "4", "PageNo", "2"),
                    Map.of("JobState", "Failed"), Map.of("SortBy", "asc", "MaxResults", "5", "NextToken", "3"))) {
                JsonNode fromIndex = answer(ask, new StoredPages(rendered, TENANT));
                JsonNode fromSummaries = answer(ask, new StoredPages(legacy, TENANT));
                assertThat(fromIndex).as("%s", ask).isEqualTo(fromSummaries);
                assertThat(fromIndex.path("SmartJobList").size()).as("%s", ask).isGreaterThan(0);
            }
            JsonNode all = answer(Map.of("MaxResults", "100"), new StoredPages(rendered, TENANT));
            assertThat(all.path("TotalCount").asLong()).isEqualTo(jobs.size());
            assertThat(all.path("SmartJobList").get(0).path("JobId").asText()).isEqualTo("job-11"); // newest first
            assertThat(all.path("SmartJobList").get(0).path("UserData").asText()).isEqualTo("{\"n\":11, \"q\":\"\\\"\"}");
        }
    }

    private static JsonNode answer(Map<String, String> ask, JobPages pages) throws Exception {
        return Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(JobListing.answer("r", ask, pages)));
    }

    private static List<JobStatus> jobs() {
        List<JobStatus> jobs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            JobRequest r = new JobRequest();
            r.jobId = String.format("job-%02d", i);
            r.userId = TENANT;
            r.title = "Title " + i + " — ünïcode";
            r.inputFile = "https://example.com/" + i + ".wav";
            r.userData = "{\"n\":" + i + ", \"q\":\"\\\"\"}";
            r.createTime = 1_700_000_000_000L + i * 1000L;
            JobState state = JobState.values()[i % JobState.values().length];
            JobStatus s = JobStatus.of(r, state, r.createTime + 500);
            if (state == JobState.Failed) {
                s.errorCode = "InvalidFile.Media";
                s.errorMessage = "not media";
            }
            jobs.add(s);
        }
        return jobs;
    }
}
