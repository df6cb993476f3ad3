package io.flinkasr.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JobStatusTest {
    @Test
    void withoutSegmentsIsTheSameJsonLessItsSegmentsAndChunks() throws Exception {
        JobRequest request = new JobRequest();
        request.jobId = "j-1";
        request.userId = 7;
        request.inputFile = "/media/a.mp3";
        JobStatus s = JobStatus.of(request, JobState.Failed, 1234L);
        Segment segment = new Segment();
        segment.content = "hello";
        s.segments = new Segment[] {segment};
        s.chunks = new ChunkInfo[] {new ChunkInfo(0, 0, 1.5, 1)};
        s.chunksDone = 3;
        s.chunksTotal = 4;
        s.mediaSeconds = 12.5;
        s.secondsDone = 9.25;
        s.errorCode = "Media.Unreadable";
        s.errorMessage = "no audio";
        // every field set to something other than its default, so a field added later and not copied shows
        for (Field f : JobStatus.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                Object value = f.get(s);
                Object fresh = f.get(new JobStatus());
                assertThat(value).as("field %s is set in this test", f.getName()).isNotEqualTo(fresh);
            }
        }
        ObjectNode whole = (ObjectNode) Json.MAPPER.readTree(Json.bytes(s));
        whole.remove(Arrays.asList("segments", "chunks"));
        assertThat(Json.MAPPER.readTree(Json.bytes(s.withoutSegments()))).isEqualTo(whole);
        assertThat(s.segments).as("the original keeps them").hasSize(1);
    }
}
