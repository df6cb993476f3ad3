package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * A gzip'd answer spliced from parts deflated at different times must be one valid gzip member: what a
 * strict reader (the JDK's, which checks the trailer's CRC-32 and length) inflates to the parts one after
 * the other.
 */
class GzipAnswerTest {

    @Test
    void combinedCrcsAreTheCrcOfTheWhole() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] a = bytes(random, random.nextInt(3) == 0 ? 0 : random.nextInt(5000));
            byte[] b = bytes(random, random.nextInt(3) == 0 ? 0 : random.nextInt(70_000));
            assertThat(GzipAnswer.combine(crc(a), crc(b), b.length)).as("round %d: %d + %d bytes", round, a.length, b.length)
                    .isEqualTo(crc(concat(List.of(a, b))));
        }
    }

    @Test
    void partsDeflatedAtAnyTimeMakeOneMemberThatInflatesToThemAll() throws Exception {
        Random random = new Random(11);
        for (int round = 0; round < 50; round++) {
            List<byte[]> plain = new ArrayList<>();
            List<GzipAnswer.Part> parts = new ArrayList<>();
            int n = 1 + random.nextInt(7);
            for (int i = 0; i < n; i++) {
                byte[] text = text(random, random.nextInt(4) == 0 ? 0 : random.nextInt(300_000));
                plain.add(text);
                if (random.nextBoolean()) {
                    parts.add(kept(text));
                } else {
                    byte[] padded = concat(List.of(new byte[] {1, 2, 3}, text, new byte[] {4})); // a part within a larger array
                    parts.add(GzipAnswer.Part.plain(padded, 3, text.length));
                }
            }
            byte[] gzip = GzipAnswer.of(parts);
            assertThat(inflate(gzip)).as("round %d, %d parts", round, n).isEqualTo(concat(plain));
            assertThat(GzipAnswer.plain(parts)).as("as they are").isEqualTo(concat(plain));
        }
    }

    @Test
    void aRepeatedTranscriptIsSentDeflatedOnceStoredNotAgain() throws Exception {
        byte[] transcript = text(new Random(3), 200_000);
        GzipAnswer.Part stored = kept(transcript);
        int deflatedLength = stored.deflatedLength();
        byte[] gzip = GzipAnswer.of(List.of(GzipAnswer.Part.plain("{\"a\":\"".getBytes()), stored,
                GzipAnswer.Part.plain("\",\"b\":\"".getBytes()), stored, GzipAnswer.Part.plain("\"}".getBytes())));
        assertThat(gzip.length).as("two copies of the stored part and a little more").isLessThan(2 * deflatedLength + 200);
        byte[] inflated = inflate(gzip);
        assertThat(inflated).hasSize(2 * transcript.length + 15);
        assertThat(new String(inflated, java.nio.charset.StandardCharsets.UTF_8)).startsWith("{\"a\":\"").endsWith("\"}");
    }

    /** The text as a stored part: the bytes, then their deflated copy, in one array (as a stored result keeps them). */
    private static GzipAnswer.Part kept(byte[] text) {
        byte[] deflated = GzipAnswer.deflated(text, 0, text.length);
        return new GzipAnswer.Part(concat(List.of(text, deflated)), 0, text.length, text.length, deflated.length, (int) crc(text));
    }

    static byte[] inflate(byte[] gzip) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readAllBytes();
        }
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Text like a transcript's: words that repeat, so deflate finds matches far back. */
    private static byte[] text(Random random, int n) {
        String[] words = {"the", "of", "speech", "recognition", "{\\\"content\\\":\\\"", "\\\",\\\"from\\\":", "1.25", "Grüße", "你好"};
        StringBuilder out = new StringBuilder(n + 16);
        while (out.length() < n) {
            out.append(words[random.nextInt(words.length)]).append(' ');
        }
        byte[] utf8 = out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(utf8, Math.min(utf8.length, n));
    }
}
