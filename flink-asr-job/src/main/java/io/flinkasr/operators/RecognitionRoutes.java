package io.flinkasr.operators;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Keys that send a job's chunks round robin over the recognition subtasks. Hashing a chunk id instead
 * would pile several consecutive chunks onto one subtask now and then; since a chunk record is larger
 * than a channel's buffers, the chunker would then wait for that subtask while the others sit idle.
 *
 * <p>For each subtask index it finds the smallest integer key that Flink's key-group assignment maps
 * to that subtask; a job starts at a subtask picked from its JobId, so concurrent jobs do not all
 * start on subtask 0.
 */
final class RecognitionRoutes {
    private final int[] keyOfSubtask;

    RecognitionRoutes(int maxParallelism, int parallelism) {
        keyOfSubtask = new int[parallelism];
        java.util.Arrays.fill(keyOfSubtask, -1);
        int found = 0;
        for (int key = 0; found < parallelism; key++) {
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxParallelism, parallelism);
            if (keyOfSubtask[subtask] < 0) {
                keyOfSubtask[subtask] = key;
                found++;
            }
        }
    }

    int route(String jobId, int seq) {
        int start = Math.floorMod(jobId.hashCode(), keyOfSubtask.length);
        return keyOfSubtask[(start + seq) % keyOfSubtask.length];
    }
}
