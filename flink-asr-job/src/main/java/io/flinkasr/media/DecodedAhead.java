package io.flinkasr.media;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The chunker's PCM decoded ahead of the window it cuts, for a few jobs: one ffmpeg run decodes several
 * windows' worth ({@code aheadSeconds}), and the next windows of the job are sliced from it instead of
 * starting ffmpeg for each (a start costs about 0.11 s of CPU before it decodes anything, so a 5-minute
 * file cut one window per start spent 2.4 s of CPU beside two busy recognizers). Nothing here is state: after a
 * restart the window is decoded from the media again, exactly as before. At most {@code jobs} jobs are held
 * at a time, so the heap holds at most {@code jobs x aheadSeconds} of PCM (32 KB per second); while that many
 * are held, the windows of other jobs are decoded one at a time, as before (dropping a job's PCM for
 * another's would decode ahead again and again for nothing).
 *
 * <p>Given an executor, a job's next span is decoded there, in the background, once the span held has less than
 * half of {@code aheadSeconds} left beyond the window just sliced; {@link #window} answers null while the window
 * waits for it, and the caller asks again a little later. So the caller's thread (the chunker's task thread, where
 * checkpoint barriers and new jobs' first windows wait their turn) runs ffmpeg only for a job's first window; and
 * the background runs ffmpeg at a low CPU priority ({@link AudioDecoder#withSpareCpu()}): a long job's media
 * is decoded with the CPU the recognizers leave, not taken from a short job's recognition.
 */
public final class DecodedAhead {
    /** PCM of the media from {@code offset}; {@code toEnd}: the media (or its readable part) ends with it. */
    private record Span(Path file, double offset, byte[] pcm, boolean toEnd) {}

    private final AudioDecoder decoder;
    private final double aheadSeconds;
    private final int jobs;
    private final Map<String, Span> spans;
    /** Where a job's next span is decoded in the background; null: every decoding on the caller's thread. */
    private final ExecutorService background;
    /** What decodes in the background: ffmpeg at a low CPU priority, so that it takes mostly what the recognizers leave. */
    private final AudioDecoder spareCpuDecoder;
    /** A job's next span, being decoded in the background. */
    private final Map<String, Future<Span>> pending = new HashMap<>();

    public DecodedAhead(AudioDecoder decoder, double aheadSeconds, int jobs) {
        this(decoder, aheadSeconds, jobs, null);
    }

    public DecodedAhead(AudioDecoder decoder, double aheadSeconds, int jobs, ExecutorService background) {
        this.decoder = decoder;
        this.aheadSeconds = aheadSeconds;
        this.jobs = jobs;
        this.spans = new HashMap<>();
        this.background = background;
        this.spareCpuDecoder = decoder.withSpareCpu();
    }

    /**
     * The PCM of {@code seconds} of the media from {@code offset}: fewer bytes (maybe none) where the media ends
     * first, as {@link AudioDecoder#decode} gives. Sliced from what was decoded ahead for the job when that
     * covers it, else decoded (at least {@code aheadSeconds}) and kept for the job's next windows. Null while the
     * span the window lies in is being decoded in the background: ask again later.
     */
    public byte[] window(String jobId, Path file, double offset, double seconds) throws MediaException {
        Span span = spans.get(jobId);
        Future<Span> next = pending.get(jobId);
        if (next != null && next.isDone()) {
            pending.remove(jobId);
            Span decoded = decoded(next);
            span = span != null && span.file().equals(decoded.file()) ? joined(span, decoded, offset) : decoded;
            spans.put(jobId, span);
            next = null;
        }
        if (span != null && span.file().equals(file)) {
            byte[] slice = slice(span, offset, seconds);
            if (slice != null) {
                decodeNext(jobId, span, offset + seconds);
                return slice;
            }
            if (next != null) {
                return null; // the span this window lies in is being decoded
            }
        }
        if (span == null && spans.size() >= jobs) {
            return decoder.decode(file, offset, seconds);
        }
        double decode = Math.max(seconds, aheadSeconds);
        byte[] pcm = decoder.decode(file, offset, decode);
        Span decoded = new Span(file, offset, pcm, pcm.length < AudioDecoder.bytesOf(decode) - 320);
        spans.put(jobId, decoded);
        return slice(decoded, offset, seconds);
    }

    /** Keeps {@code pcm}, the media's PCM from {@code offset} as the job's first window decoded it. */
    public void seed(String jobId, Path file, double offset, byte[] pcm, double askedSeconds) {
        if (spans.size() >= jobs && !spans.containsKey(jobId)) {
            return;
        }
        spans.put(jobId, new Span(file, offset, pcm, pcm.length < AudioDecoder.bytesOf(askedSeconds) - 320));
    }

    /** Forgets the job's PCM (it has been cut to the end, or failed). */
    public void release(String jobId) {
        spans.remove(jobId);
        Future<Span> next = pending.remove(jobId);
        if (next != null) {
            next.cancel(true);
        }
    }

    /**
     * Starts decoding the job's next span in the background when the one held has less than half of
     * {@code aheadSeconds} left beyond {@code until}: from the last whole millisecond it holds (ffmpeg seeks to
     * milliseconds), for {@code aheadSeconds}.
     */
    private void decodeNext(String jobId, Span span, double until) {
        double end = span.offset() + span.pcm().length / (double) AudioDecoder.BYTES_PER_SECOND;
        if (background == null || span.toEnd() || pending.containsKey(jobId) || end - until > aheadSeconds / 2) {
            return;
        }
        double from = Math.floor(end * 1000) / 1000;
        Path file = span.file();
        pending.put(jobId, background.submit(() -> {
            byte[] pcm = spareCpuDecoder.decode(file, from, aheadSeconds);
            return new Span(file, from, pcm, pcm.length < AudioDecoder.bytesOf(aheadSeconds) - 320);
        }));
    }

    /** The span a background decoding gave, or the MediaException it ended with. */
    private static Span decoded(Future<Span> next) throws MediaException {
        try {
            return next.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MediaException media) {
                throw media;
            }
            throw new MediaException("InternalError", "The media could not be decoded.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MediaException("InternalError", "Decoding was interrupted.");
        } catch (CancellationException e) {
            throw new MediaException("InternalError", "Decoding was cancelled.");
        }
    }

    /**
     * The held span from {@code keepFrom} (the window being asked for: later windows never start before it), then
     * the next one decoded after it.
     */
    private static Span joined(Span held, Span next, double keepFrom) {
        double from = Math.max(held.offset(), Math.min(keepFrom, next.offset()));
        int headFrom = Math.min(held.pcm().length, AudioDecoder.bytesOf(from - held.offset()));
        int headTo = Math.min(held.pcm().length, AudioDecoder.bytesOf(next.offset() - held.offset()));
        byte[] pcm = new byte[headTo - headFrom + next.pcm().length];
        System.arraycopy(held.pcm(), headFrom, pcm, 0, headTo - headFrom);
        System.arraycopy(next.pcm(), 0, pcm, headTo - headFrom, next.pcm().length);
        return new Span(held.file(), from, pcm, next.toEnd());
    }

    /** How many jobs have PCM held. */
    int held() {
        return spans.size();
    }

    private static byte[] slice(Span span, double offset, double seconds) {
        if (offset < span.offset() - 1e-6) {
            return null;
        }
        int from = AudioDecoder.bytesOf(offset - span.offset());
        int to = from + AudioDecoder.bytesOf(seconds);
        if (to > span.pcm().length) {
            if (!span.toEnd()) {
                return null;
            }
            to = span.pcm().length;
        }
        return from >= to ? new byte[0] : Arrays.copyOfRange(span.pcm(), from, to);
    }
}
