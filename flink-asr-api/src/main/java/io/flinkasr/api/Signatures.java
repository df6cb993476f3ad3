package io.flinkasr.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two request signatures Alibaba Cloud's SDKs send, computed the way the official Java SDK
 * ({@code com.aliyun:tea-openapi}) computes them, so that the server can recompute and compare.
 *
 * <ul>
 *   <li>RPC v1 ({@code SignatureMethod=HMAC-SHA1}, the ICE client's default): the sorted, percent-encoded
 *       parameters (without {@code Signature}, without empty values) give
 *       {@code METHOD&%2F&pct(query)}, signed with HMAC-SHA1 keyed by {@code secret + "&"}, in Base64.
 *   <li>ACS3-HMAC-SHA256 (the {@code Authorization} header): a canonical request of method, path, sorted
 *       query, the signed headers and the body's SHA-256, hashed into
 *       {@code "ACS3-HMAC-SHA256\n" + hex(sha256(canonical))}, signed with HMAC-SHA256 keyed by the
 *       secret, in lower-case hex.
 * </ul>
 */
public final class Signatures {
    public static final String EMPTY_SHA256 = sha256Hex(new byte[0]);

    private Signatures() {}

    /** RFC 3986 percent-encoding of UTF-8, leaving only {@code A-Z a-z 0-9 - _ . ~} as they are. */
    public static String percent(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** The RPC v1 signature of a request's parameters (query and form together). */
    public static String rpcV1(String method, Map<String, String> params, String secret) {
        String canonical = new TreeMap<>(params).entrySet().stream()
                .filter(e -> !e.getKey().equals("Signature") && e.getValue() != null && !e.getValue().isEmpty())
                .map(e -> percent(e.getKey()) + "=" + percent(e.getValue()))
                .collect(Collectors.joining("&"));
        String stringToSign = method.toUpperCase() + "&" + percent("/") + "&" + percent(canonical);
        return Base64.getEncoder().encodeToString(hmac("HmacSHA1", secret + "&", stringToSign));
    }

    /**
     * The ACS3-HMAC-SHA256 signature.
     *
     * @param query the decoded query parameters
     * @param headers request headers by lower-case name
     * @param signedHeaders the lower-case names listed in the Authorization header, in its order
     */
    public static String acs3(String method, String path, Map<String, String> query, Map<String, String> headers,
            List<String> signedHeaders, String payloadSha256, String secret) {
        String canonicalQuery = new TreeMap<>(query).entrySet().stream()
                .map(e -> percent(e.getKey()) + "=" + percent(e.getValue() == null ? "" : e.getValue()))
                .collect(Collectors.joining("&"));
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signedHeaders.stream().sorted().toList()) {
            String value = headers.get(name);
            canonicalHeaders.append(name).append(':').append(value == null ? "" : value.strip()).append('\n');
        }
        String canonical = method.toUpperCase() + "\n" + (path.isEmpty() ? "/" : path) + "\n" + canonicalQuery + "\n"
                + canonicalHeaders + "\n" + String.join(";", signedHeaders.stream().sorted().toList()) + "\n" + payloadSha256;
        String stringToSign = "ACS3-HMAC-SHA256\n" + sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hmac("HmacSHA256", secret, stringToSign));
    }

    public static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares in constant time, so that timing does not reveal how much of a signature matched. */
    public static boolean same(String expected, String given) {
        return given != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(String algorithm, String key, String data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
