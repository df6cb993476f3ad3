package io.flinkasr.media.remote;

import io.flinkasr.media.MediaException;

import io.flinkasr.media.remote.RemoteMedia.FetchStep;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Turns one answer of a server or object store into a step of the staging file, the same way for every
 * source: it refuses objects over the size limit, starts over when the object changed since the last
 * step, skips what is staged already when the answer holds the whole object (a server that ignores
 * ranges), appends at most the step's bytes, and says whether the object is complete.
 */
final class ObjectTransfer {
    private static final int SKIP_BUFFER = 64 * 1024;

    /**
     * An answer to a request for the bytes from the staging file's length on.
     *
     * @param start where {@code body} starts in the object: the offset asked for, or 0 where the whole
     *     object came back
     * @param total the object's size, -1 where unknown
     * @param version the object's ETag or Last-Modified, null where the answer has neither
     */
    record Answer(long start, long total, String version, InputStream body) {}

    private final ObjectVersions versions;
    private final long maxLength;

    ObjectTransfer(ObjectVersions versions, long maxLength) {
        this.versions = versions;
        this.maxLength = maxLength;
    }

    /** The version of the object that {@code target} holds the start of, where known. */
    String knownVersion(Path target) {
        return versions.get(target);
    }

    /** Opens the staging file for a step, and refuses to go on with one that holds too much already. */
    StagingFile open(Path target, long from) throws MediaException {
        StagingFile file = StagingFile.open(target, from);
        if (file.length() == 0) {
            versions.forget(target);
        }
        if (file.length() > maxLength) {
            file.close();
            throw FetchFailure.tooLarge(maxLength);
        }
        return file;
    }

    /**
     * Appends up to {@code maxBytes} of the answer to {@code file}.
     *
     * @throws IOException where skipping fails, or the transfer fails before a single byte was appended;
     *     a transfer cut short after that ends the step with what arrived
     */
    FetchStep take(Answer answer, StagingFile file, Path target, long maxBytes) throws MediaException, IOException {
        if (answer.total() > maxLength) {
            throw FetchFailure.tooLarge(maxLength);
        }
        long staged = file.length();
        if (staged > 0 && (versions.changed(target, answer.version()) || (answer.total() >= 0 && answer.total() < staged))) {
            // the object changed since the staged bytes were fetched: they are worthless
            file.restart();
            versions.forget(target);
            if (answer.start() != 0) {
                return new FetchStep(0, false, answer.total());
            }
            staged = 0;
        }
        if (answer.start() == 0 && staged > 0) {
            if (!skip(answer.body(), staged)) {
                file.restart();
                versions.forget(target);
                return new FetchStep(0, false, answer.total());
            }
        } else if (answer.start() != staged) {
            throw FetchFailure.unreachable("The InputFile's server answered with a range that was not asked for.");
        }
        versions.remember(target, answer.version());
        boolean ended;
        try {
            ended = file.append(answer.body(), maxBytes, maxLength);
        } catch (IOException e) {
            if (file.length() > staged) {
                return new FetchStep(file.length(), false, answer.total()); // cut short: the next step goes on
            }
            throw e;
        }
        long length = file.length();
        boolean complete = answer.total() >= 0 ? length >= answer.total() : ended;
        if (complete) {
            versions.forget(target);
        }
        return new FetchStep(length, complete, answer.total() >= 0 ? answer.total() : complete ? length : -1);
    }

    /**
     * The step for a request that started at or past the object's end (HTTP 416): complete where the
     * staging file holds the whole object, started over where the object shrank.
     *
     * @param total the object's size, -1 where the answer does not say (then the file is taken as whole)
     */
    FetchStep pastEnd(StagingFile file, Path target, long total) throws MediaException {
        long staged = file.length();
        if (total < 0 || total == staged) {
            versions.forget(target);
            return new FetchStep(staged, true, staged);
        }
        if (total < staged) {
            file.restart();
            versions.forget(target);
            return new FetchStep(0, false, total);
        }
        throw FetchFailure.unreachable("The InputFile's server refused a range inside the object.");
    }

    /** Reads and drops {@code n} bytes; false where the body ends first. */
    private static boolean skip(InputStream in, long n) throws IOException {
        byte[] buffer = new byte[SKIP_BUFFER];
        long left = n;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                return false;
            }
            left -= read;
        }
        return true;
    }
}
