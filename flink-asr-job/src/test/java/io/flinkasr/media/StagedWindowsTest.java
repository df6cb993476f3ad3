package io.flinkasr.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunks' audio kept in the staging folder between the chunker and the recogniser. */
class StagedWindowsTest {
    @TempDir Path staging;

    @Test
    void aWindowIsReadBackWholeOrNotAtAll() {
        StagedWindows windows = new StagedWindows(staging);
        byte[] pcm = {1, 2, 3, 4, 5, 6, 7, 8};
        Path file = windows.write("job/1 ../x", 3, pcm, 6);

        assertThat(file).isNotNull().startsWith(staging);
        assertThat(file.getParent().getFileName().toString()).as("a job id becomes one safe folder name").isEqualTo("job_1____x");
        assertThat(StagedWindows.read(file.toString(), 6)).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(StagedWindows.read(file.toString(), 8)).as("not the length the chunk expects").isNull();
        assertThat(StagedWindows.read(staging.resolve("missing.pcm").toString(), 6)).isNull();
        assertThat(StagedWindows.read(null, 6)).isNull();
    }

    @Test
    void aJobsWindowsGoWhenItEnds() {
        StagedWindows windows = new StagedWindows(staging);
        Path first = windows.write("job", 0, new byte[4], 4);
        Path second = windows.write("job", 1, new byte[4], 4);
        Path other = windows.write("other", 0, new byte[4], 4);
        StagedWindows.delete(first.toString());
        assertThat(first).doesNotExist();

        windows.release("job");
        assertThat(second.getParent()).doesNotExist();
        assertThat(other).exists();
    }
}
