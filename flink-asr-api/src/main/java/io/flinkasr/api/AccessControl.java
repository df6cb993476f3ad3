package io.flinkasr.api;

import io.flinkasr.config.AsrOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who a request speaks for. A request is signed with one of the signatures of Alibaba Cloud's SDKs
 * ({@link Signatures}); it must carry a known AccessKeyId, a timestamp inside the allowed window and a
 * nonce not used before within that window. Unsigned requests are refused, unless the operator allows
 * them from this machine (the local stack does, for curl), where they speak for the first key only.
 *
 * <p>The order of the checks keeps tenants apart: the signature and the timestamp are checked first
 * (nothing is stored for a request that fails them), then the key's request budget ({@link RateLimits}),
 * and only a request within its budget has its nonce remembered, in that key's own bounded
 * {@link NonceBook}. A tenant that floods the API spends its own budget and fills its own book; every
 * other tenant's requests are untouched.
 */
public final class AccessControl {
    /** What the server saw of a request. Headers by lower-case name; query and form decoded. */
    public record Request(String method, String path, Map<String, String> query, Map<String, String> form,
            Map<String, String> headers, byte[] body, boolean fromLoopback) {}

    /** The ACS3 headers that carry meaning: each must be sent and signed, or a proxy could change it. */
    private static final List<String> ACS3_SIGNED = List.of(
            "host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256");
    /** Longest nonce accepted: the SDKs send 32 hex digits; a longer one only costs memory. */
    static final int MAX_NONCE_LENGTH = 128;

    private final AccessKeys keys;
    private final Duration window;
    private final boolean unsignedFromLoopback;
    private final RateLimits rates;
    private final int noncesPerKey;
    /** The nonces each key has used, by AccessKeyId: one bounded book per key. */
    private final Map<String, NonceBook> nonces = new ConcurrentHashMap<>();
    /** Nonces all books remember together, and the most they may. */
    private final AtomicLong remembered = new AtomicLong();
    private final long nonceCapacity;
    /** When every book next forgets its expired nonces, whether or not its key is used meanwhile. */
    private final AtomicLong nextSweepMillis = new AtomicLong();

    public AccessControl(AccessKeys keys, Duration window, boolean unsignedFromLoopback, RateLimits rates) {
        this(keys, window, unsignedFromLoopback, rates, AsrOptions.NONCE_CAPACITY.defaultValue());
    }

    /**
     * @param nonceCapacity the most nonces remembered for all keys together (about 14 bytes of heap each);
     *     past it signed requests are refused with Throttling.Api until old ones leave the window
     */
    public AccessControl(AccessKeys keys, Duration window, boolean unsignedFromLoopback, RateLimits rates, long nonceCapacity) {
        this.keys = keys;
        this.nonceCapacity = nonceCapacity;
        this.window = window;
        this.unsignedFromLoopback = unsignedFromLoopback;
        this.rates = rates;
        // within its budget a key can use at most burst + rate x (the 2 windows a nonce is kept) nonces
        this.noncesPerKey = (int) Math.min(Integer.MAX_VALUE - 1,
                rates.burst() + Math.ceil(rates.perSecond() * 2 * window.toSeconds()));
    }

    /** How many nonces a key may have remembered at once; a key past it is refused (Throttling), alone. */
    int noncesPerKey() {
        return noncesPerKey;
    }

    /** How many nonces are remembered for all keys together now. */
    public long noncesRemembered() {
        return remembered.get();
    }

    /** How many nonces are remembered for a key now. */
    int noncesOf(String accessKeyId) {
        NonceBook book = nonces.get(accessKeyId);
        return book == null ? 0 : book.size();
    }

    /** Whether unsigned requests from this machine speak for the first key. */
    public boolean trustsLoopback() {
        return unsignedFromLoopback;
    }

    /** The key unsigned requests from this machine speak for. */
    public AccessKey loopbackKey() {
        return keys.first();
    }

    /**
     * The key whose id and secret these are, or null: the dashboard's sign-in, where the browser sends the
     * pair once (the signature of every API request proves the same).
     */
    public AccessKey signIn(String accessKeyId, String accessKeySecret) {
        AccessKey key = accessKeyId == null ? null : keys.find(accessKeyId).orElse(null);
        if (key == null || accessKeySecret == null || !Signatures.same(key.accessKeySecret, accessKeySecret)) {
            return null;
        }
        return key;
    }

    /** Spends one request of the key's budget (Throttling past it): the dashboard's reads count as API requests. */
    public void charge(AccessKey key) {
        rates.acquire(key);
    }

    public AccessKey authenticate(Request request, Instant now) {
        String authorization = request.headers().get("authorization");
        if (authorization != null && authorization.startsWith("ACS3-")) {
            return acs3(request, authorization, now);
        }
        Map<String, String> params = new HashMap<>(request.query());
        request.form().forEach(params::putIfAbsent);
        if (params.containsKey("Signature")) {
            return rpcV1(request, params, now);
        }
        if (!unsignedFromLoopback) {
            throw IceException.missing("Signature");
        }
        if (!request.fromLoopback()) {
            throw new IceException(403, "Forbidden", "Unsigned requests are accepted from this machine only; sign the request.");
        }
        String keyId = params.get("AccessKeyId");
        if (keyId != null && !keyId.isEmpty() && !keyId.equals(keys.first().accessKeyId)) {
            // an unsigned request may not speak for another tenant
            throw IceException.missing("Signature");
        }
        rates.acquire(keys.first());
        return keys.first();
    }

    private AccessKey rpcV1(Request request, Map<String, String> params, Instant now) {
        for (String required : List.of("AccessKeyId", "SignatureMethod", "SignatureNonce", "Timestamp")) {
            if (params.get(required) == null || params.get(required).isEmpty()) {
                throw IceException.missing(required);
            }
        }
        if (!"HMAC-SHA1".equals(params.get("SignatureMethod"))) {
            throw IceException.invalid("SignatureMethod", "only HMAC-SHA1 is supported for this signature version.");
        }
        if (params.containsKey("SignatureVersion") && !"1.0".equals(params.get("SignatureVersion"))) {
            throw IceException.invalid("SignatureVersion", "only 1.0 is supported.");
        }
        AccessKey key = key(params.get("AccessKeyId"));
        String expected = Signatures.rpcV1(request.method(), params, key.accessKeySecret);
        if (!Signatures.same(expected, params.get("Signature"))) {
            throw signatureDoesNotMatch();
        }
        Instant signedAt = checkTime(params.get("Timestamp"), now);
        rates.acquire(key);
        checkNonce(key, params.get("SignatureNonce"), signedAt, now);
        return key;
    }

    private AccessKey acs3(Request request, String authorization, Instant now) {
        String[] head = authorization.split(" ", 2);
        if (!head[0].equals("ACS3-HMAC-SHA256") || head.length < 2) {
            throw IceException.invalid("Authorization", "only the ACS3-HMAC-SHA256 signature algorithm is supported.");
        }
        Map<String, String> parts = new HashMap<>();
        for (String part : head[1].split(",")) {
            String[] kv = part.strip().split("=", 2);
            if (kv.length == 2) {
                parts.put(kv[0], kv[1]);
            }
        }
        String keyId = parts.get("Credential");
        String signedHeaders = parts.get("SignedHeaders");
        String signature = parts.get("Signature");
        if (keyId == null || signedHeaders == null || signature == null) {
            throw new IceException(400, "IncompleteSignature", "The Authorization header lacks Credential, SignedHeaders or Signature.");
        }
        List<String> signed = Arrays.asList(signedHeaders.toLowerCase(Locale.ROOT).split(";"));
        for (String required : ACS3_SIGNED) {
            if (!signed.contains(required) || request.headers().get(required) == null) {
                throw new IceException(400, "IncompleteSignature", "The header " + required + " must be sent and signed.");
            }
        }
        if (request.body().length > 0 && request.headers().get("content-type") != null && !signed.contains("content-type")) {
            // the content type decides whether the body is read as parameters
            throw new IceException(400, "IncompleteSignature", "The header content-type must be signed when a body is sent.");
        }
        String queryAction = request.query().get("Action");
        if (queryAction != null && !queryAction.equals(request.headers().get("x-acs-action"))) {
            throw IceException.invalid("Action", "it differs from the signed x-acs-action header.");
        }
        String bodyHash = Signatures.sha256Hex(request.body());
        if (!bodyHash.equalsIgnoreCase(request.headers().get("x-acs-content-sha256"))) {
            throw new IceException(400, "InvalidParameter", "x-acs-content-sha256 does not match the request body.");
        }
        AccessKey key = key(keyId);
        String expected = Signatures.acs3(request.method(), request.path(), request.query(), request.headers(), signed, bodyHash, key.accessKeySecret);
        if (!Signatures.same(expected, signature)) {
            throw signatureDoesNotMatch();
        }
        Instant signedAt = checkTime(request.headers().get("x-acs-date"), now);
        rates.acquire(key);
        checkNonce(key, request.headers().get("x-acs-signature-nonce"), signedAt, now);
        return key;
    }

    private AccessKey key(String keyId) {
        return keys.find(keyId).orElseThrow(() ->
                new IceException(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."));
    }

    /** The last timestamp parsed: clients sign with the current second, so most requests repeat it. */
    private record ParsedTime(String text, Instant at) {}

    private volatile ParsedTime lastTime = new ParsedTime("", Instant.EPOCH);

    /** The request's signed time, if it is within the window of now. */
    private Instant checkTime(String timestamp, Instant now) {
        ParsedTime last = lastTime;
        Instant at;
        if (last.text().equals(timestamp)) {
            at = last.at();
        } else {
            try {
                at = Instant.parse(timestamp);
            } catch (DateTimeParseException e) {
                throw new IceException(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
            }
            lastTime = new ParsedTime(timestamp, at);
        }
        if (Duration.between(at, now).abs().compareTo(window) > 0) {
            throw new IceException(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
        }
        return at;
    }

    /**
     * A nonce may be used once per key. It is remembered until the request's signed time leaves the window
     * (a replay is refused as expired after that) in the key's own book, which holds at most
     * {@link #noncesPerKey()}: a key that somehow gets past its rate limit is refused once its book is
     * full, and no other key notices. All books together hold at most the server's nonce capacity, so
     * many keys at their full rates cannot outgrow the heap; past it every key waits (Throttling.Api).
     */
    private void checkNonce(AccessKey key, String nonce, Instant signedAt, Instant now) {
        if (nonce.length() > MAX_NONCE_LENGTH) {
            throw IceException.invalid("SignatureNonce", "it is longer than " + MAX_NONCE_LENGTH + " characters.");
        }
        sweepNonces(now);
        NonceBook book = nonces.computeIfAbsent(key.accessKeyId, id -> new NonceBook(noncesPerKey, window, remembered, nonceCapacity));
        switch (book.use(nonce, signedAt, now)) {
            case USED -> throw new IceException(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
            case FULL -> throw new IceException(429, "Throttling", "Request was denied due to request throttling.");
            case SERVER_FULL -> throw new IceException(429, "Throttling.Api", "Request was denied due to api flow control.");
            case NEW -> { }
        }
    }

    /**
     * Every 10 s, the first request makes every key's book forget what has expired: a key that stopped
     * sending would otherwise keep its nonces, and their share of the server's capacity, until its next
     * request.
     */
    private void sweepNonces(Instant now) {
        long nowMillis = now.toEpochMilli();
        long next = nextSweepMillis.get();
        if (nowMillis >= next && nextSweepMillis.compareAndSet(next, nowMillis + NonceBook.BUCKET_MILLIS)) {
            nonces.values().forEach(book -> book.forgetExpired(now));
        }
    }

    private static IceException signatureDoesNotMatch() {
        return new IceException(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
    }
}
