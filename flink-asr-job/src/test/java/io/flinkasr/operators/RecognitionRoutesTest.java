package io.flinkasr.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecognitionRoutesTest {

    @ParameterizedTest
    @CsvSource({"128, 1", "128, 2", "128, 3", "128, 16", "256, 7", "32768, 100"})
    void consecutiveChunksGoToConsecutiveSubtasks(int maxParallelism, int parallelism) {
        RecognitionRoutes routes = new RecognitionRoutes(maxParallelism, parallelism);

        List<Integer> subtasks = new ArrayList<>();
        for (int seq = 0; seq < 3 * parallelism; seq++) {
            int key = routes.route("job-42", seq);
            subtasks.add(KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxParallelism, parallelism));
        }

        int first = subtasks.get(0);
        for (int seq = 0; seq < subtasks.size(); seq++) {
            assertThat(subtasks.get(seq)).isEqualTo((first + seq) % parallelism);
        }
    }
}
