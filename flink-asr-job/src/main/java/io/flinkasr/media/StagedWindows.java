package io.flinkasr.media;

import io.flinkasr.media.remote.RemoteMedia;

import io.flinkasr.records.JobRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decoded audio of chunks waiting for recognition, kept in the staging folder: the chunker has decoded
 * each window already (to find where to cut), so it leaves the PCM there, and the recogniser reads it back
 * instead of running ffmpeg on the window again (which cost about 0.15 s of CPU per chunk, some 6% of
 * recognising it). A window that is not there (another machine's staging folder, a restart after it was
 * read, a full disk) is simply decoded again from the media. One folder per job, removed when the job ends.
 */
public final class StagedWindows {
    private static final Logger LOG = LoggerFactory.getLogger(StagedWindows.class);

    /** Free space the staging disk keeps at least: below it windows are decoded again instead of staged. */
    static final long RESERVE_BYTES = 1L << 30;

    private final Path stagingDir;
    private final Path root;

    public StagedWindows(Path stagingDir) {
        this.stagingDir = stagingDir;
        this.root = stagingDir.resolve("windows");
    }

    /**
     * Leaves the first {@code length} bytes of {@code pcm} as the audio of chunk {@code seq}; null where it
     * could not, or would leave the staging disk with less than {@link #RESERVE_BYTES} or a tenth free (a
     * backlog of many hours of media would otherwise fill it: an hour is 115 MB).
     */
    public Path write(String jobId, int seq, byte[] pcm, int length) {
        Path file = folder(jobId).resolve(seq + ".pcm");
        try {
            Files.createDirectories(file.getParent());
            var store = Files.getFileStore(file.getParent());
            if (store.getUsableSpace() - length < Math.max(RESERVE_BYTES, store.getTotalSpace() / 10)) {
                return null;
            }
            Path partial = file.resolveSibling(seq + ".pcm.partial");
            try (var out = Files.newOutputStream(partial)) {
                out.write(pcm, 0, length);
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            LOG.warn("Could not stage the audio of chunk {}#{} ({}); it will be decoded again", jobId, seq, e.toString());
            return null;
        }
    }

    /** The staged audio, if it is there whole ({@code bytes} long); null otherwise. */
    public static byte[] read(String file, int bytes) {
        if (file == null) {
            return null;
        }
        try {
            Path path = Path.of(file);
            if (Files.size(path) != bytes) {
                return null;
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            return null;
        }
    }

    public static void delete(String file) {
        if (file != null) {
            try {
                Files.deleteIfExists(Path.of(file));
            } catch (IOException e) {
                LOG.debug("Could not delete {}", file, e);
            }
        }
    }

    /** Removes all a job staged: its remote media's copy and what is left of its windows (the job has ended). */
    public void release(JobRequest request) {
        RemoteMedia.release(stagingDir, request);
        release(request.jobId);
    }

    /** Removes what is left of a job's windows. */
    void release(String jobId) {
        Path folder = folder(jobId);
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not remove the staged windows of job {}", jobId, e);
        }
    }

    private Path folder(String jobId) {
        return root.resolve(RemoteMedia.fileName(jobId));
    }
}
