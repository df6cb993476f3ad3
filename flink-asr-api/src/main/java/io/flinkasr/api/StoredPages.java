package io.flinkasr.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.flinkasr.api.store.JobStore;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import java.util.List;

/**
 * One tenant's jobs in the store, as ListSmartJobs pages them: a job's list entry was rendered when its state
 * was stored and is kept under its key in the tenant's order, so a page's entries are read side by side and
 * their bytes go into the answer as they are. A job stored by an older version, without one, is rendered from
 * its summary.
 */
final class StoredPages implements JobPages {
    private final JobStore store;
    private final long userId;

    StoredPages(JobStore store, long userId) {
        this.store = store;
        this.userId = userId;
    }

    @Override
    public long count(JobState state) {
        return store.count(userId, state);
    }

    @Override
    public List<JobStatus> page(JobState state, boolean newestFirst, long skip, int limit) {
        return store.page(userId, state, newestFirst, skip, limit).stream().map(json -> Json.read(json, JobStatus.class)).toList();
    }

    @Override
    public List<JsonNode> entries(JobState state, boolean newestFirst, long skip, int limit) {
        return store.rows(userId, state, newestFirst, skip, limit).stream()
                .map(row -> row.listEntry() != null
                        ? Json.MAPPER.getNodeFactory().rawValueNode(new RawValue(new RawJson(row.listEntry())))
                        : (JsonNode) IceResponses.listEntry(Json.read(row.summary(), JobStatus.class)))
                .toList();
    }
}
