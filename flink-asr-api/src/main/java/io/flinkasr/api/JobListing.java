package io.flinkasr.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * ListSmartJobs: which of a caller's jobs a request asks for (JobType, JobState), in which order (SortBy,
 * newest first by default) and which page of them (MaxResults/NextToken or PageSize/PageNo, at most 100).
 * Apart from the catalog it reads, plain logic: tested in {@code JobListingTest} without Kafka.
 */
final class JobListing {
    /** The order ListSmartJobs shows by default: newest CreateTime first, then JobId, descending. */
    static final Comparator<JobStatus> NEWEST_FIRST = Comparator.comparingLong((JobStatus s) -> s.request.createTime)
            .thenComparing(s -> s.request.jobId)
            .reversed();

    private JobListing() {}

    /**
     * The answer to ListSmartJobs.
     *
     * @param callersJobs the caller's jobs that match a filter, newest first (what {@link Catalog#list} gives)
     */
    static ObjectNode answer(String requestId, Map<String, String> params, Function<Predicate<JobStatus>, List<JobStatus>> callersJobs) {
        String type = params.get("JobType");
        String state = params.get("JobState");
        Predicate<JobStatus> filter = s -> (type == null || type.isEmpty() || type.equals("ASR"))
                && (state == null || state.isEmpty() || state.equals(s.state.name()));
        List<JobStatus> all = callersJobs.apply(filter);
        String sortBy = params.getOrDefault("SortBy", "desc");
        if (sortBy.equalsIgnoreCase("asc")) {
            all = new ArrayList<>(all);
            Collections.reverse(all);
        } else if (!sortBy.isEmpty() && !sortBy.equalsIgnoreCase("desc")) {
            throw IceException.invalid("SortBy", "use desc (newest first) or asc.");
        }
        int pageSize = intParam(params, params.containsKey("PageSize") ? "PageSize" : "MaxResults", 10, 1, 100);
        int from;
        if (params.containsKey("NextToken") && !params.get("NextToken").isEmpty()) {
            from = intParam(params, "NextToken", 0, 0, Integer.MAX_VALUE);
        } else {
            from = (intParam(params, "PageNo", 1, 1, 1_000_000) - 1) * pageSize;
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("RequestId", requestId);
        ArrayNode list = body.putArray("SmartJobList");
        long next = (long) from + pageSize; // NextToken may be as large as Integer.MAX_VALUE
        for (int i = from; i < Math.min(all.size(), next); i++) {
            list.add(IceResponses.listEntry(all.get(i)));
        }
        if (next < all.size()) {
            body.put("NextToken", String.valueOf(next));
        }
        body.put("MaxResults", pageSize);
        body.put("TotalCount", all.size());
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
