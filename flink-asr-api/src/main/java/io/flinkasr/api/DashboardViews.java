package io.flinkasr.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.records.ChunkInfo;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import io.flinkasr.records.Segment;
import io.flinkasr.records.Word;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the dashboard's pages read, as JSON: the jobs list, one job, and the service's figures. Each is
 * built only from the jobs the viewer may see (its tenant's, or every tenant's for an operator), so what
 * another tenant submitted never reaches the browser.
 */
final class DashboardViews {
    /** Throughput is counted in buckets of this many milliseconds, over {@link #THROUGHPUT_BUCKETS} of them. */
    static final long BUCKET_MILLIS = 10_000;
    static final int THROUGHPUT_BUCKETS = 30;

    private DashboardViews() {}

    /** One row of the jobs table. */
    static ObjectNode row(JobStatus s, long now) {
        ObjectNode row = Json.MAPPER.createObjectNode();
        row.put("jobId", s.request.jobId);
        row.put("userId", String.valueOf(s.request.userId)); // 16 digits: more than a JavaScript number holds exactly
        row.put("title", s.request.title);
        row.put("state", s.state.name());
        row.put("percent", IceResponses.percent(s));
        row.put("chunksDone", s.chunksDone);
        if (s.chunksTotal >= 0) {
            row.put("chunksTotal", s.chunksTotal);
        }
        if (s.mediaSeconds > 0) {
            row.put("mediaSeconds", round(s.mediaSeconds));
        }
        row.put("created", s.request.createTime);
        long until = s.state.isFinal() ? Math.max(s.modifiedTime, s.request.createTime) : now;
        if (s.state.isFinal()) {
            row.put("finished", until);
        }
        double took = Math.max(0, until - s.request.createTime) / 1000.0;
        row.put("tookSeconds", round(took));
        if (s.state == JobState.Finished && s.mediaSeconds > 0) {
            row.put("realTimeFactor", Math.round(took / s.mediaSeconds * 1000) / 1000.0); // seconds taken per second of media
        }
        if (s.errorCode != null) {
            row.put("errorCode", s.errorCode);
        }
        return row;
    }

    /** The jobs table: at most {@code limit} rows, newest first, and how many matched. */
    static ObjectNode jobs(List<JobStatus> matching, int limit, long now) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("total", matching.size());
        ArrayNode rows = body.putArray("jobs");
        matching.stream().limit(limit).forEach(s -> rows.add(row(s, now)));
        return body;
    }

    /** One job: its row, input, error, segments (with words where it has them) and chunks. */
    static ObjectNode job(JobStatus s, long now) {
        ObjectNode job = row(s, now);
        job.put("inputFile", s.request.inputFile);
        if (s.request.description != null) {
            job.put("description", s.request.description);
        }
        if (s.errorMessage != null) {
            job.put("errorMessage", s.errorMessage);
        }
        job.put("modified", s.modifiedTime);
        ArrayNode segments = job.putArray("segments");
        if (s.state == JobState.Finished && s.segments != null) {
            for (Segment segment : s.segments) {
                ObjectNode out = segments.addObject().put("content", segment.content)
                        .put("from", segment.from).put("to", segment.to);
                if (segment.words != null && s.request.wordLevel) {
                    ArrayNode words = out.putArray("words");
                    for (Word w : segment.words) {
                        words.addObject().put("word", w.word).put("start", w.start).put("end", w.end).put("conf", w.conf);
                    }
                }
            }
        }
        ArrayNode chunks = job.putArray("chunks");
        if (s.chunks != null) {
            for (ChunkInfo c : s.chunks) {
                ObjectNode out = chunks.addObject().put("seq", c.seq).put("from", round(c.from)).put("to", round(c.to))
                        .put("subtask", c.subtask);
                if (c.startedAt > 0) {
                    out.put("startedAt", c.startedAt).put("endedAt", c.endedAt);
                }
            }
        }
        return job;
    }

    /**
     * The service as the viewer may see it: audio seconds recognised per second (now, and over the last
     * minutes, from when each chunk's recognition ended), backlog, jobs per state, failures by ErrorCode, and
     * the same per tenant.
     */
    static ObjectNode service(List<JobStatus> visible, long now, String flinkUi) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("now", now);
        long end = now - now % BUCKET_MILLIS + BUCKET_MILLIS;
        long start = end - BUCKET_MILLIS * THROUGHPUT_BUCKETS;
        double[] audio = new double[THROUGHPUT_BUCKETS];
        double lastTenSeconds = 0;
        Map<String, Long> byState = new TreeMap<>();
        for (JobState state : JobState.values()) {
            byState.put(state.name(), 0L);
        }
        Map<String, Long> failures = new TreeMap<>();
        Map<Long, ObjectNode> tenants = new TreeMap<>();
        long chunksWaiting = 0;
        boolean chunking = false;
        for (JobStatus s : visible) {
            byState.merge(s.state.name(), 1L, Long::sum);
            ObjectNode tenant = tenants.computeIfAbsent(s.request.userId, id -> {
                ObjectNode t = Json.MAPPER.createObjectNode().put("userId", String.valueOf(id));
                for (JobState state : JobState.values()) {
                    t.put(state.name(), 0);
                }
                return t.put("audioSeconds", 0.0);
            });
            tenant.put(s.state.name(), tenant.get(s.state.name()).asLong() + 1);
            if (s.state == JobState.Finished) {
                tenant.put("audioSeconds", round(tenant.get("audioSeconds").asDouble() + s.mediaSeconds));
            }
            if (s.state == JobState.Failed) {
                failures.merge(s.errorCode == null ? "Unknown" : s.errorCode, 1L, Long::sum);
            }
            if (s.state == JobState.Executing) {
                if (s.chunksTotal >= 0) {
                    chunksWaiting += Math.max(0, s.chunksTotal - s.chunksDone);
                } else {
                    chunking = true;
                }
            }
            if (s.chunks == null || s.modifiedTime < start) {
                continue; // a state is written after its last chunk: older jobs add nothing to the window
            }
            for (ChunkInfo c : s.chunks) {
                if (c.endedAt >= start && c.endedAt < end) {
                    double seconds = Math.max(0, c.to - c.from);
                    audio[(int) ((c.endedAt - start) / BUCKET_MILLIS)] += seconds;
                    if (c.endedAt > now - BUCKET_MILLIS) {
                        lastTenSeconds += seconds;
                    }
                }
            }
        }
        body.put("audioSecondsPerSecond", round(lastTenSeconds / (BUCKET_MILLIS / 1000.0)));
        ArrayNode throughput = body.putArray("throughput");
        for (int i = 0; i < THROUGHPUT_BUCKETS; i++) {
            throughput.addObject().put("at", start + (i + 1) * BUCKET_MILLIS)
                    .put("audioSecondsPerSecond", round(audio[i] / (BUCKET_MILLIS / 1000.0)));
        }
        ObjectNode backlog = body.putObject("backlog");
        backlog.put("created", byState.get(JobState.Created.name()));
        backlog.put("executing", byState.get(JobState.Executing.name()));
        backlog.put("chunksWaiting", chunksWaiting);
        backlog.put("stillChunking", chunking);
        ObjectNode states = body.putObject("jobsByState");
        byState.forEach(states::put);
        ObjectNode failed = body.putObject("failuresByCode");
        failures.forEach(failed::put);
        ArrayNode perTenant = body.putArray("tenants");
        tenants.values().forEach(perTenant::add);
        body.put("windowSeconds", BUCKET_MILLIS * THROUGHPUT_BUCKETS / 1000);
        if (flinkUi != null) {
            body.put("flinkUi", flinkUi);
        }
        return body;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
