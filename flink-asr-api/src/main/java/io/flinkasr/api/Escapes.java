package io.flinkasr.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks a raw query string or form body before its parameters are used: every {@code %} must start an
 * escape of two hex digits, and the decoded bytes must be UTF-8. Jetty's decoder drops or replaces what
 * it cannot decode, which would silently change a parameter (a Title of {@code a%zzb%} became {@code a});
 * such a request is InvalidParameter instead.
 */
final class Escapes {
    private Escapes() {}

    static void check(String raw, String where) {
        if (raw != null) {
            check(raw.getBytes(StandardCharsets.UTF_8), where);
        }
    }

    static void check(byte[] raw, String where) {
        ByteArrayOutputStream decoded = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%') {
                if (i + 2 >= raw.length) {
                    throw bad(where);
                }
                int hi = Character.digit(raw[i + 1], 16);
                int lo = Character.digit(raw[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    throw bad(where);
                }
                decoded.write(hi * 16 + lo);
                i += 2;
            } else {
                decoded.write(raw[i]);
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded.toByteArray()));
        } catch (CharacterCodingException e) {
            throw new IceException(400, "InvalidParameter", "The request " + where + " is not UTF-8 once its percent escapes are decoded.");
        }
    }

    private static IceException bad(String where) {
        return new IceException(400, "InvalidParameter",
                "The request " + where + " has a '%' that does not start an escape of two hex digits (write '%25' for '%').");
    }
}
