package io.flinkasr.api;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip'd answer made of parts, some of them deflated long before (a Finished job's transcript, when it was
 * stored): the official SDK's HTTP client asks for gzip, and deflating a long transcript at every read took
 * milliseconds of CPU (at a million jobs, 644 GetSmartHandleJob answers a second with gzip against 4,300
 * without).
 *
 * <p>A deflate stream may be cut after any block that ends on a byte boundary, which a sync flush makes; a
 * part deflated on its own, with no reference to what came before it, and ended that way can stand anywhere
 * in a stream. Each part of an answer is one such run of blocks (the parts deflated now, at the fastest
 * level), the last ends the stream, and the gzip trailer's CRC-32 is combined from the parts' CRCs, so a
 * stored part is neither inflated nor read again.
 */
final class GzipAnswer {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    /** Deflaters for the parts deflated per answer, kept for the next (answers are made in a request slot: few at once). */
    private static final java.util.Queue<Deflater> DEFLATERS = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private GzipAnswer() {}

    /**
     * A part of an answer: its bytes ({@code length} of them from {@code offset}) and, where they were kept
     * deflated too ({@code deflatedLength} > 0), that copy in the same array with the bytes' CRC-32.
     */
    record Part(byte[] bytes, int offset, int length, int deflatedAt, int deflatedLength, int crc) {
        static Part plain(byte[] bytes, int offset, int length) {
            return new Part(bytes, offset, length, 0, 0, 0);
        }

        static Part plain(byte[] bytes) {
            return plain(bytes, 0, bytes.length);
        }
    }

    /** The bytes deflated on their own and ended by a sync flush: a part that can stand anywhere in a stream. */
    static byte[] deflated(byte[] bytes, int offset, int length) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true); // a new replica deflates every long transcript
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(length / 3 + 64);
            deflate(deflater, bytes, offset, length, Deflater.SYNC_FLUSH, out);
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** The parts one after the other, as they are. */
    static byte[] plain(List<Part> parts) {
        if (parts.size() == 1 && parts.get(0).offset() == 0 && parts.get(0).length() == parts.get(0).bytes().length) {
            return parts.get(0).bytes(); // an answer written whole: no copy
        }
        byte[] out = new byte[length(parts)];
        int at = 0;
        for (Part p : parts) {
            System.arraycopy(p.bytes(), p.offset(), out, at, p.length());
            at += p.length();
        }
        return out;
    }

    /** How many bytes the parts are, as they are. */
    static int length(List<Part> parts) {
        int length = 0;
        for (Part p : parts) {
            length += p.length();
        }
        return length;
    }

    /** The gzip member of the parts, in order: each part's deflated copy where it has one. */
    static byte[] of(List<Part> parts) {
        int plainLength = length(parts);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, plainLength / 3));
        out.write(HEADER, 0, HEADER.length);
        long crc = 0;
        Deflater deflater = DEFLATERS.poll();
        if (deflater == null) {
            deflater = new Deflater(Deflater.BEST_SPEED, true);
        }
        try {
            CRC32 partCrc = new CRC32();
            for (Part p : parts) {
                long crcOfPart;
                if (p.deflatedLength() > 0) {
                    out.write(p.bytes(), p.deflatedAt(), p.deflatedLength());
                    crcOfPart = p.crc() & 0xffffffffL;
                } else {
                    deflater.reset(); // no reference to an earlier part
                    deflate(deflater, p.bytes(), p.offset(), p.length(), Deflater.SYNC_FLUSH, out);
                    partCrc.reset();
                    partCrc.update(p.bytes(), p.offset(), p.length());
                    crcOfPart = partCrc.getValue();
                }
                crc = combine(crc, crcOfPart, p.length());
            }
            deflater.reset(); // the stream's last block, empty
            deflater.finish();
            byte[] buffer = new byte[64];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
        } finally {
            deflater.reset();
            DEFLATERS.offer(deflater);
        }
        writeIntLittleEndian(out, (int) crc);
        writeIntLittleEndian(out, plainLength);
        return out.toByteArray();
    }

    private static void deflate(Deflater deflater, byte[] bytes, int offset, int length, int flush, ByteArrayOutputStream out) {
        deflater.setInput(bytes, offset, length);
        byte[] buffer = new byte[Math.min(64 * 1024, Math.max(256, length / 2 + 64))];
        while (true) {
            int n = deflater.deflate(buffer, 0, buffer.length, flush);
            out.write(buffer, 0, n);
            if (n < buffer.length && deflater.needsInput()) {
                return;
            }
        }
    }

    private static void writeIntLittleEndian(ByteArrayOutputStream out, int value) {
        out.write(value);
        out.write(value >>> 8);
        out.write(value >>> 16);
        out.write(value >>> 24);
    }

    /** The CRC-32 of two runs of bytes one after the other, from their CRCs and the second's length (zlib's crc32_combine). */
    static long combine(long crc1, long crc2, long length2) {
        if (length2 <= 0) {
            return crc1;
        }
        long[] even = new long[32];
        long[] odd = new long[32];
        odd[0] = 0xedb88320L; // the CRC-32 polynomial: the operator for one zero bit
        long row = 1;
        for (int n = 1; n < 32; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four
        do { // apply len2 zero bytes to crc1
            square(even, odd);
            if ((length2 & 1) != 0) {
                crc1 = times(even, crc1);
            }
            length2 >>= 1;
            if (length2 == 0) {
                break;
            }
            square(odd, even);
            if ((length2 & 1) != 0) {
                crc1 = times(odd, crc1);
            }
            length2 >>= 1;
        } while (length2 != 0);
        return crc1 ^ crc2;
    }

    private static long times(long[] matrix, long vector) {
        long sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(long[] square, long[] matrix) {
        for (int n = 0; n < 32; n++) {
            square[n] = times(matrix, matrix[n]);
        }
    }
}
