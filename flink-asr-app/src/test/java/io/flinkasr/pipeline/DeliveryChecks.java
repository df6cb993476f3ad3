package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Segment;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the cluster tests check of every job after processes were killed or the job upgraded: what a user saw
 * was never taken back, nothing came twice and nothing is missing.
 */
final class DeliveryChecks {
    private DeliveryChecks() {}

    /**
     * A job's records on the states topic (read_committed, in order): states only move forward, chunks done
     * never go back within a state, exactly one final record, and it is Finished.
     */
    static void statesMoveForwardOnce(String jobId, List<JobStatus> states) {
        statesMoveForwardOnce(jobId, states, JobState.Finished);
    }

    /** As {@link #statesMoveForwardOnce(String, List)}, the one final record being {@code expected}. */
    static void statesMoveForwardOnce(String jobId, List<JobStatus> states, JobState expected) {
        assertThat(states).as("records of %s on the states topic", jobId).isNotEmpty();
        for (int i = 1; i < states.size(); i++) {
            JobStatus a = states.get(i - 1);
            JobStatus b = states.get(i);
            assertThat(a.state.mayMoveTo(b.state)).as("%s: %s then %s (record %d)", jobId, a.state, b.state, i).isTrue();
            if (a.state == b.state) {
                assertThat(b.chunksDone).as("%s: chunks done at record %d", jobId, i).isGreaterThanOrEqualTo(a.chunksDone);
            }
        }
        assertThat(states.stream().filter(s -> s.state.isFinal()).count()).as("final records of %s", jobId).isEqualTo(1);
        assertThat(states.get(states.size() - 1).state).as("last record of %s", jobId).isEqualTo(expected);
    }

    /** A GetSmartHandleJob result: segments ordered by time with no duplicates; chunks numbered 0..n-1 in order. */
    static void segmentsInOrderChunksWhole(JsonNode result) throws Exception {
        Segment[] segments = AsrApi.segments(result);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < segments.length; i++) {
            assertThat(seen.add(segments[i].from + " " + segments[i].content)).as("duplicate segment %s", segments[i].content).isTrue();
            if (i > 0) {
                assertThat(segments[i].from).as("segment %d starts after the one before", i).isGreaterThanOrEqualTo(segments[i - 1].to - 1e-6);
            }
        }
        JsonNode chunks = result.path("Chunks");
        for (int i = 0; i < chunks.size(); i++) {
            assertThat(chunks.get(i).path("Seq").asInt()).as("chunk %d", i).isEqualTo(i);
        }
    }
}
