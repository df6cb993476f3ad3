package io.flinkasr.records;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every type that crosses operators or sits in state is a Flink POJO, serialised without Kryo. */
class RecordSerializationTest {

    @ParameterizedTest
    @ValueSource(classes = {
        JobRequest.class, Chunk.class, ChunkResult.class, JobEvent.class, JobStatus.class,
        Segment.class, Word.class, ChunkInfo.class, ChunkingPosition.class, JobProgress.class
    })
    void serialisesAsPojoWithoutKryo(Class<?> type) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    }

    @Test
    void jobStatusSurvivesItsJsonForm() {
        JobRequest request = new JobRequest();
        request.jobId = "j1";
        request.inputFile = "/media/a.wav";
        request.userId = 42;
        JobStatus status = JobStatus.of(request, JobState.Finished, 1000);
        status.segments = new Segment[] {new Segment("Hello there", 0.5, 1.25, null)};

        JobStatus back = Json.read(Json.bytes(status), JobStatus.class);

        assertThat(back.state).isEqualTo(JobState.Finished);
        assertThat(back.request.userId).isEqualTo(42);
        assertThat(back.segments).singleElement().satisfies(s -> {
            assertThat(s.content).isEqualTo("Hello there");
            assertThat(s.from).isEqualTo(0.5);
            assertThat(s.to).isEqualTo(1.25);
        });
    }

    @Test
    void statesOnlyMoveForward() {
        assertThat(JobState.Created.mayMoveTo(JobState.Executing)).isTrue();
        assertThat(JobState.Executing.mayMoveTo(JobState.Executing)).isTrue();
        assertThat(JobState.Executing.mayMoveTo(JobState.Finished)).isTrue();
        assertThat(JobState.Executing.mayMoveTo(JobState.Created)).isFalse();
        assertThat(JobState.Finished.mayMoveTo(JobState.Executing)).isFalse();
        assertThat(JobState.Finished.mayMoveTo(JobState.Failed)).isFalse();
        assertThat(JobState.Failed.mayMoveTo(JobState.Finished)).isFalse();
    }
}
