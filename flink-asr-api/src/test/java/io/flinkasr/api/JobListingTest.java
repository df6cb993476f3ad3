package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ListSmartJobs' filters, order and pages over a fixed set of jobs with fixed create times: no Kafka. */
class JobListingTest {
    private static final Instant FIRST = Instant.parse("2026-11-30T12:00:00Z");

    /** 25 jobs, job-00 created first, one a minute; every fifth Failed, the rest Finished. */
    private static final List<JobStatus> JOBS = jobs(25);

    private static List<JobStatus> jobs(int n) {
        List<JobStatus> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JobRequest r = new JobRequest();
            r.jobId = String.format("job-%02d", i);
            r.userId = 1;
            r.inputFile = "/media/" + i + ".mp3";
            r.title = "t" + i;
            r.createTime = FIRST.plusSeconds(60L * i).toEpochMilli();
            JobStatus s = JobStatus.of(r, i % 5 == 0 ? JobState.Failed : JobState.Finished, r.createTime + 1000);
            jobs.add(s);
        }
        return jobs;
    }

    private static JsonNode list(String... params) {
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            p.put(params[i], params[i + 1]);
        }
        return JobListing.answer("req", p, pagesOf(JOBS));
    }

    /** The jobs as the store pages them: counted by state, a page read by skipping in creation order. */
    private static JobPages pagesOf(List<JobStatus> jobs) {
        return new JobPages() {
            @Override
            public long count(JobState state) {
                return jobs.stream().filter(s -> state == null || s.state == state).count();
            }

            @Override
            public List<JobStatus> page(JobState state, boolean newestFirst, long skip, int limit) {
                var order = newestFirst ? JobListing.NEWEST_FIRST : JobListing.NEWEST_FIRST.reversed();
                return jobs.stream().filter(s -> state == null || s.state == state).sorted(order).skip(skip).limit(limit).toList();
            }
        };
    }

    private static List<String> ids(JsonNode answer) {
        return answer.path("SmartJobList").findValuesAsText("JobId");
    }

    private static String code(String... params) {
        IceException e = catchThrowableOfType(IceException.class, () -> list(params));
        assertThat(e).as("refused").isNotNull();
        return e.code() + ": " + e.getMessage();
    }

    @Test
    void tenNewestFirstByDefault() {
        JsonNode first = list();
        assertThat(ids(first)).containsExactly("job-24", "job-23", "job-22", "job-21", "job-20", "job-19", "job-18", "job-17", "job-16", "job-15");
        assertThat(first.path("MaxResults").asInt()).isEqualTo(10);
        assertThat(first.path("TotalCount").asInt()).isEqualTo(25);
        assertThat(first.path("NextToken").asText()).isEqualTo("10");
        assertThat(first.path("RequestId").asText()).isEqualTo("req");
    }

    @Test
    void nextTokensWalkEveryJobOnceAndTheLastPageHasNone() {
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            JsonNode page = list("MaxResults", "7", "NextToken", token);
            seen.addAll(ids(page));
            token = page.path("NextToken").asText("");
            pages++;
        } while (!token.isEmpty());
        assertThat(pages).isEqualTo(4);
        assertThat(seen).hasSize(25).doesNotHaveDuplicates().first().isEqualTo("job-24");
        assertThat(seen.get(24)).isEqualTo("job-00");
    }

    @Test
    void pageNoAndPageSizeCountFromOne() {
        assertThat(ids(list("PageSize", "10", "PageNo", "3"))).containsExactly("job-04", "job-03", "job-02", "job-01", "job-00");
        assertThat(ids(list("PageSize", "10", "PageNo", "4"))).isEmpty();
        assertThat(list("PageSize", "10", "PageNo", "3").has("NextToken")).isFalse();
        assertThat(list("PageSize", "5", "PageNo", "2").path("NextToken").asText()).isEqualTo("10");
    }

    @Test
    void ascendingIsOldestFirst() {
        assertThat(ids(list("SortBy", "asc", "MaxResults", "3"))).containsExactly("job-00", "job-01", "job-02");
        assertThat(ids(list("SortBy", "DESC", "MaxResults", "1"))).containsExactly("job-24");
    }

    @Test
    void jobStateAndJobTypeFilterBeforePaging() {
        JsonNode failed = list("JobState", "Failed", "MaxResults", "2");
        assertThat(ids(failed)).containsExactly("job-20", "job-15");
        assertThat(failed.path("TotalCount").asInt()).isEqualTo(5);
        assertThat(failed.path("SmartJobList").findValuesAsText("JobState")).containsOnly("Failed");
        assertThat(list("JobType", "ASR").path("TotalCount").asInt()).isEqualTo(25);
        assertThat(list("JobType", "VideoTranslation").path("TotalCount").asInt()).isZero();
    }

    @Test
    void jobsCreatedInTheSameMillisecondAreOrderedByJobId() {
        List<JobStatus> same = jobs(3);
        same.forEach(s -> s.request.createTime = FIRST.toEpochMilli());
        assertThat(same.stream().sorted(JobListing.NEWEST_FIRST).map(JobStatus::jobId)).containsExactly("job-02", "job-01", "job-00");
    }

    @Test
    void aTokenPastTheEndGivesAnEmptyPageAndNoOverflow() {
        JsonNode last = list("NextToken", "2147483647", "MaxResults", "100");
        assertThat(ids(last)).isEmpty();
        assertThat(last.has("NextToken")).isFalse();
        assertThat(last.path("TotalCount").asInt()).isEqualTo(25);
    }

    @Test
    void refusesPagesOutOfBoundsAndUnknownOrders() {
        assertThat(code("MaxResults", "0")).startsWith("InvalidParameter").contains("MaxResults");
        assertThat(code("MaxResults", "101")).startsWith("InvalidParameter");
        assertThat(code("PageSize", "ten")).startsWith("InvalidParameter").contains("PageSize");
        assertThat(code("PageNo", "0")).startsWith("InvalidParameter");
        assertThat(code("NextToken", "-1")).startsWith("InvalidParameter");
        assertThat(code("SortBy", "random")).startsWith("InvalidParameter").contains("SortBy");
        assertThat(ids(list("MaxResults", "100"))).as("100 is allowed").hasSize(25);
    }
}
