package io.flinkasr.media.remote;

import io.flinkasr.media.MediaException;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The local file a remote object is staged in, a step at a time. It is opened at the length the caller
 * knows (longer content, say from a step that was cut short, is cut off) and grows only by what a step
 * appends, so its length is always how much of the object it holds.
 */
final class StagingFile implements Closeable {
    private static final int BUFFER = 64 * 1024;

    private final FileChannel channel;
    private long length;

    private StagingFile(FileChannel channel, long length) {
        this.channel = channel;
        this.length = length;
    }

    /**
     * Opens (or creates, with its folders) {@code target} to append at {@code from}, or at its end where
     * it is shorter than that (a missing file is empty).
     */
    static StagingFile open(Path target, long from) throws MediaException {
        try {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                long start = Math.min(from, channel.size());
                channel.truncate(start);
                channel.position(start);
                return new StagingFile(channel, start);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw unwritable();
        }
    }

    long length() {
        return length;
    }

    /**
     * Appends what {@code in} yields, at most {@code maxBytes}. Read errors propagate, with everything read
     * before them kept (see {@link #length()}).
     *
     * @param maxLength the most the file may hold; a byte past it is InputFile.TooLarge
     * @return whether {@code in} ended (false where {@code maxBytes} were appended first)
     */
    boolean append(InputStream in, long maxBytes, long maxLength) throws IOException, MediaException {
        byte[] buffer = new byte[BUFFER];
        long appended = 0;
        while (appended < maxBytes) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, maxBytes - appended));
            if (n < 0) {
                return true;
            }
            if (length + n > maxLength) {
                throw FetchFailure.tooLarge(maxLength);
            }
            write(buffer, n);
            appended += n;
        }
        return false;
    }

    /** Empties the file, for a fetch that has to start over. */
    void restart() throws MediaException {
        try {
            channel.truncate(0);
            channel.position(0);
            length = 0;
        } catch (IOException e) {
            throw unwritable();
        }
    }

    private void write(byte[] buffer, int n) throws MediaException {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            length += n;
        } catch (IOException e) {
            throw unwritable();
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was lost: every append was written through the channel
        }
    }

    private static MediaException unwritable() {
        return new MediaException("InternalError", "The InputFile could not be staged on local disk.");
    }
}
