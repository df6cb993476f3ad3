package io.flinkasr.callbacks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a completion callback is signed, and how its receiver checks it: {@code X-Flink-Asr-Signature} is
 * {@code v1=} and the lowercase hex HMAC-SHA256, keyed with the tenant's AccessKey secret, of the
 * {@code X-Flink-Asr-Timestamp} header (Unix seconds), a dot, and the body's bytes. The timestamp is that of
 * the attempt, so a receiver can refuse old requests; the event id stays the same on every attempt.
 */
public final class CallbackSignature {
    public static final String EVENT_ID = "X-Flink-Asr-Event-Id";
    public static final String TIMESTAMP = "X-Flink-Asr-Timestamp";
    public static final String ACCESS_KEY_ID = "X-Flink-Asr-Access-Key-Id";
    public static final String SIGNATURE = "X-Flink-Asr-Signature";
    public static final String ATTEMPT = "X-Flink-Asr-Attempt";
    private static final String VERSION = "v1=";

    private CallbackSignature() {}

    /** The signature header's value for this timestamp (Unix seconds) and body. */
    public static String sign(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return VERSION + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Whether the headers' signature is the one of this body, timestamp and secret (compared in constant time). */
    public static boolean verify(String secret, String timestampHeader, String signatureHeader, byte[] body) {
        if (timestampHeader == null || signatureHeader == null || !timestampHeader.matches("\\d{1,12}")) {
            return false;
        }
        byte[] expected = sign(secret, Long.parseLong(timestampHeader), body).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, signatureHeader.strip().getBytes(StandardCharsets.UTF_8));
    }
}
