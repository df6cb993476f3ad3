package io.flinkasr.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs ffmpeg with a time limit, collecting what it writes; a run past its limit is killed. */
final class Subprocess {

    /** How a run ended: stdout, the head of stderr (where ffmpeg describes its input), the exit code, and whether it was killed for time. */
    record Result(byte[] stdout, String stderr, int exitCode, boolean timedOut) {}

    private static final int STDERR_LIMIT = 16384;

    /**
     * What ffmpeg may open: the one local file they are given, through demuxers of real media
     * containers only. Without the format whitelist an HLS playlist or a concat script named .mp3 would
     * make ffmpeg read any file the process can read (a playlist entry {@code file:///etc/...}); without the
     * protocol whitelist, any URL.
     */
    static final List<String> INPUT_LIMITS = List.of(
            "-protocol_whitelist", "file",
            "-format_whitelist", "mov,matroska,webm,mp3,ogg,flac,wav,w64,amr,aac,aiff,caf,avi,flv,asf,mpegts,mpeg,ac3,eac3,dts,wv");

    private Subprocess() {}

    static Result run(List<String> command, Duration timeout) throws MediaException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(nullFile())).start();
        } catch (IOException e) {
            throw new MediaException("InternalError", "The media decoder could not be started.");
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                return new Result(new byte[0], "", -1, true);
            }
            byte[] stdout = out.get(5, TimeUnit.SECONDS);
            String stderr = new String(err.get(5, TimeUnit.SECONDS), java.nio.charset.StandardCharsets.UTF_8);
            if (stderr.length() > STDERR_LIMIT) {
                stderr = stderr.substring(0, STDERR_LIMIT);
            }
            return new Result(stdout, stderr, process.exitValue(), false);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new MediaException("InternalError", "Decoding was interrupted.");
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new MediaException("Media.Corrupt", "The media decoder failed.");
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
