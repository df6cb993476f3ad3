package io.flinkasr.media;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The chunker's PCM decoded ahead of the window it cuts, for a few jobs: one ffmpeg run decodes several
 * windows' worth ({@code aheadSeconds}), and the next windows of the job are sliced from it instead of
 * starting ffmpeg for each (a start costs about 0.11 s of CPU before it decodes anything, so a 5-minute
 * file cut one window per start spent 2.4 s of CPU beside two busy recognizers). Nothing here is state: after a
 * restart the window is decoded from the media again, exactly as before. At most {@code jobs} jobs are held
 * at a time, so the heap holds at most {@code jobs x aheadSeconds} of PCM (32 KB per second); while that many
 * are held, the windows of other jobs are decoded one at a time, as before (dropping a job's PCM for
 * another's would decode ahead again and again for nothing).
 */
public final class DecodedAhead {
    /** PCM of the media from {@code offset}; {@code toEnd}: the media (or its readable part) ends with it. */
    private record Span(Path file, double offset, byte[] pcm, boolean toEnd) {}

    private final AudioDecoder decoder;
    private final double aheadSeconds;
    private final int jobs;
    private final Map<String, Span> spans;

    public DecodedAhead(AudioDecoder decoder, double aheadSeconds, int jobs) {
        this.decoder = decoder;
        this.aheadSeconds = aheadSeconds;
        this.jobs = jobs;
        this.spans = new HashMap<>();
    }

    /**
     * The PCM of {@code seconds} of the media from {@code offset}: fewer bytes (maybe none) where the media ends
     * first, as {@link AudioDecoder#decode} gives. Sliced from what was decoded ahead for the job when that
     * covers it, else decoded (at least {@code aheadSeconds}) and kept for the job's next windows.
     */
    public byte[] window(String jobId, Path file, double offset, double seconds) throws MediaException {
        Span span = spans.get(jobId);
        if (span != null && span.file().equals(file)) {
            byte[] slice = slice(span, offset, seconds);
            if (slice != null) {
                return slice;
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
