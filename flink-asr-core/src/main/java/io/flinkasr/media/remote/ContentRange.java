package io.flinkasr.media.remote;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP {@code Content-Range} header: where the bytes of a 206 answer start, and the object's total
 * size ({@code bytes 0-99/1234}, {@code bytes 0-99/*}, or {@code bytes *}{@code /1234} on a 416).
 *
 * @param start the first byte's offset, -1 where not given
 * @param total the object's size, -1 where unknown
 */
record ContentRange(long start, long total) {
    private static final Pattern HEADER =
            Pattern.compile("\\s*bytes\\s+(?:(\\d{1,18})-(-?\\d{1,18})|\\*)/(\\d{1,18}|\\*)\\s*", Pattern.CASE_INSENSITIVE);

    /** The header's range, or null where it is missing or unreadable. */
    static ContentRange parse(String header) {
        if (header == null) {
            return null;
        }
        Matcher m = HEADER.matcher(header);
        if (!m.matches()) {
            return null;
        }
        long start = m.group(1) == null ? -1 : Long.parseLong(m.group(1));
        long total = "*".equals(m.group(3)) ? -1 : Long.parseLong(m.group(3));
        return new ContentRange(start, total);
    }
}
