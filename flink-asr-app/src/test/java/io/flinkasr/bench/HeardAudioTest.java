package io.flinkasr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeardAudioTest {
    @Test
    void sumsTheRecognitionSubtasksCountersAndNothingElse() {
        String exposition = """
                # HELP flink_taskmanager_job_task_operator_audioMillisRecognized audioMillisRecognized (scope: taskmanager_job_task_operator)
                # TYPE flink_taskmanager_job_task_operator_audioMillisRecognized gauge
                flink_taskmanager_job_task_operator_audioMillisRecognized{job_name="flink-asr",subtask_index="0",} 125000.0
                flink_taskmanager_job_task_operator_audioMillisRecognized{job_name="flink-asr",subtask_index="1",} 2500.0
                flink_taskmanager_job_task_operator_audioMillisRecognizedPerSecond{subtask_index="0",} 99.0
                flink_taskmanager_job_task_operator_recognitionMillis{subtask_index="0",} 7000.0
                """;

        assertThat(HeardAudio.sum(exposition)).isEqualTo(127500.0);
        assertThat(HeardAudio.sum("")).isZero();
        assertThat(HeardAudio.seconds(null)).isEmpty();
    }
}
