package io.flinkasr.operators;

import io.flinkasr.media.remote.RemoteMedia;
import java.io.IOException;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Counts attempts to recognise a chunk on storage that outlives the worker (the folder beside the
 * checkpoints, shared by every TaskManager). A chunk whose recognition kills its worker (a native crash
 * in the recogniser, an out-of-memory) is replayed from the last checkpoint after the restart; Flink's own
 * state cannot count that, since it is rolled back with everything else. A marker file is written before
 * each attempt and removed after it; when the markers reach the limit, the chunk is not tried again and
 * its job fails, instead of the whole pipeline restarting for ever.
 */
final class ChunkAttempts {
    private final Path dir;
    private final int maxAttempts;

    ChunkAttempts(String dir, int maxAttempts) {
        this.dir = new Path(dir);
        this.maxAttempts = maxAttempts;
    }

    /** Records one more attempt at the chunk; false when it has had its attempts already. */
    boolean begin(String chunk) throws IOException {
        FileSystem fs = dir.getFileSystem();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Path marker = marker(chunk, attempt);
            if (!fs.exists(marker)) {
                fs.create(marker, FileSystem.WriteMode.OVERWRITE).close();
                return true;
            }
        }
        return false;
    }

    /** The attempt at the chunk ended without its worker dying (the task was cancelled): withdraw it. */
    void cancelled(String chunk) throws IOException {
        FileSystem fs = dir.getFileSystem();
        for (int attempt = maxAttempts; attempt >= 1; attempt--) {
            Path marker = marker(chunk, attempt);
            if (fs.exists(marker)) {
                fs.delete(marker, false);
                return;
            }
        }
    }

    /** The chunk was recognised (or given up): forget its attempts. */
    void done(String chunk) throws IOException {
        FileSystem fs = dir.getFileSystem();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Path marker = marker(chunk, attempt);
            if (!fs.exists(marker)) {
                return;
            }
            fs.delete(marker, false);
        }
    }

    private Path marker(String chunk, int attempt) {
        return new Path(dir, RemoteMedia.fileName(chunk) + ".attempt-" + attempt);
    }
}
