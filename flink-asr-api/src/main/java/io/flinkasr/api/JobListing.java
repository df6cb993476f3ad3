package io.flinkasr.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;

/**
 * ListSmartJobs: which of a caller's jobs a request asks for (JobType, JobState), in which order (SortBy,
 * newest first by default) and which page of them (MaxResults/NextToken or PageSize/PageNo, at most 100).
 * Apart from the pages it reads, plain logic: tested in {@code JobListingTest} without Kafka.
 */
final class JobListing {
    /** The order ListSmartJobs shows by default: newest CreateTime first, then JobId, descending. */
    static final Comparator<JobStatus> NEWEST_FIRST = Comparator.comparingLong((JobStatus s) -> s.request.createTime)
            .thenComparing(s -> s.request.jobId)
            .reversed();

    private JobListing() {}

    /**
     * The answer to ListSmartJobs: counts come from the store's counts, and only the page asked for is read.
     *
     * @param callersJobs the caller's jobs (what {@link Catalog#pagesOf} gives)
     */
    static ObjectNode answer(String requestId, Map<String, String> params, JobPages callersJobs) {
        String type = params.get("JobType");
        String stateName = params.get("JobState");
        boolean none = type != null && !type.isEmpty() && !type.equals("ASR");
        JobState state = null;
        if (stateName != null && !stateName.isEmpty()) {
            state = Arrays.stream(JobState.values()).filter(s -> s.name().equals(stateName)).findFirst().orElse(null);
            none |= state == null; // no job is in a state that does not exist
        }
        String sortBy = params.getOrDefault("SortBy", "desc");
        boolean newestFirst = !sortBy.equalsIgnoreCase("asc");
        if (newestFirst && !sortBy.isEmpty() && !sortBy.equalsIgnoreCase("desc")) {
            throw IceException.invalid("SortBy", "use desc (newest first) or asc.");
        }
        int pageSize = intParam(params, params.containsKey("PageSize") ? "PageSize" : "MaxResults", 10, 1, 100);
        int from;
        if (params.containsKey("NextToken") && !params.get("NextToken").isEmpty()) {
            from = intParam(params, "NextToken", 0, 0, Integer.MAX_VALUE);
        } else {
            from = (intParam(params, "PageNo", 1, 1, 1_000_000) - 1) * pageSize;
        }
        long total = none ? 0 : callersJobs.count(state);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("RequestId", requestId);
        ArrayNode list = body.putArray("SmartJobList");
        long next = (long) from + pageSize; // NextToken may be as large as Integer.MAX_VALUE
        if (!none && from < total) {
            list.addAll(callersJobs.entries(state, newestFirst, from, pageSize));
        }
        if (next < total) {
            body.put("NextToken", String.valueOf(next));
        }
        body.put("MaxResults", pageSize);
        body.put("TotalCount", total);
        return body;
    }

    private static int intParam(Map<String, String> params, String name, int dflt, int min, int max) {
        String value = params.get(name);
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) {
                throw IceException.invalid(name, "it must be between " + min + " and " + max + ".");
            }
            return n;
        } catch (NumberFormatException e) {
            throw IceException.invalid(name, "it must be a number.");
        }
    }
}
