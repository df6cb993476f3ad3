package io.flinkasr.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import java.util.List;

/** One caller's jobs as ListSmartJobs pages them: counted without reading them, read a page at a time. */
interface JobPages {
    /** How many of the caller's jobs are in the state (every state when null). */
    long count(JobState state);

    /** Up to {@code limit} of the caller's jobs in the state (any when null), newest or oldest first, after {@code skip}. */
    List<JobStatus> page(JobState state, boolean newestFirst, long skip, int limit);

    /** The same page as ListSmartJobs' SmartJobList entries (a store may keep them rendered). */
    default List<JsonNode> entries(JobState state, boolean newestFirst, long skip, int limit) {
        return page(state, newestFirst, skip, limit).stream().map(s -> (JsonNode) IceResponses.listEntry(s)).toList();
    }
}
