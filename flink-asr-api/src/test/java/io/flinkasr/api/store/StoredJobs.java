package io.flinkasr.api.store;

import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import io.flinkasr.records.MediaAsset;
import io.flinkasr.records.Segment;
import java.time.Instant;

/** Jobs and assets as the topics carry them, with named times, for the store's tests. */
final class StoredJobs {
    static final Instant FIRST = Instant.parse("2026-11-30T12:00:00Z");
    static final long TENANT_A = 1234562230123456L;
    static final long TENANT_B = 7654321000000001L;

    private StoredJobs() {}

    /** The job's state as JSON; created {@code minute} minutes after FIRST, its state a second later. */
    static byte[] job(String jobId, long userId, int minute, JobState state) {
        JobRequest r = new JobRequest();
        r.jobId = jobId;
        r.userId = userId;
        r.inputFile = "/media/" + jobId + ".mp3";
        r.createTime = FIRST.plusSeconds(60L * minute).toEpochMilli();
        JobStatus s = JobStatus.of(r, state, r.createTime + 1000);
        if (state == JobState.Finished) {
            Segment segment = new Segment();
            segment.content = "ask not what your country can do for you";
            s.segments = new Segment[] {segment};
        }
        return Json.bytes(s);
    }

    static byte[] asset(String mediaId, long userId, String url, Instant changed) {
        MediaAsset a = new MediaAsset();
        a.mediaId = mediaId;
        a.userId = userId;
        a.inputUrl = url;
        a.createTime = changed.toEpochMilli();
        a.modifiedTime = changed.toEpochMilli();
        return Json.bytes(a);
    }

    static String jobIdOf(byte[] json) {
        return Json.read(json, JobStatus.class).jobId();
    }

    static StoreOffset at(String topic, long next) {
        return new StoreOffset(topic, 0, next);
    }
}
