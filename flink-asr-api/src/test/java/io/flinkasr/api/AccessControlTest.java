package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Signatures, nonces, the time window and the request budget, with a fixed clock: no Kafka, Flink or HTTP. */
class AccessControlTest {
    private static final AccessKey A = new AccessKey(1L, "LTAIkeyOfTenantA", "secretOfTenantA");
    private static final AccessKey B = new AccessKey(2L, "LTAIkeyOfTenantB", "secretOfTenantB");
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(15);

    private static AccessControl access(double perSecond, int burst) {
        // the buckets on the same fixed clock: nothing refills while a test runs, however slow the machine
        return new AccessControl(new AccessKeys(List.of(A, B)), WINDOW, false, new RateLimits(perSecond, burst, Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    /** An RPC v1 request (form-encoded POST) as the SDK signs it. */
    private static AccessControl.Request rpc(AccessKey key, String nonce, Instant at, String action) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("Action", action);
        form.put("Version", "2020-11-09");
        form.put("AccessKeyId", key.accessKeyId);
        form.put("SignatureMethod", "HMAC-SHA1");
        form.put("SignatureVersion", "1.0");
        form.put("SignatureNonce", nonce);
        form.put("Timestamp", at.toString());
        form.put("Signature", Signatures.rpcV1("POST", form, key.accessKeySecret));
        return new AccessControl.Request("POST", "/", Map.of(), form, Map.of(), new byte[0], false);
    }

    /** An RPC v1 request as a GET with everything in the query, as the SDK sends it for GET. */
    private static AccessControl.Request rpcGet(AccessKey key, String nonce, Instant at) {
        Map<String, String> query = new LinkedHashMap<>(rpc(key, nonce, at, "GetSmartHandleJob").form());
        query.remove("Signature");
        query.put("JobId", "0123456789abcdef0123456789abcdef");
        query.put("Signature", Signatures.rpcV1("GET", query, key.accessKeySecret));
        return new AccessControl.Request("GET", "/", query, Map.of(), Map.of(), new byte[0], false);
    }

    /** The same request with one parameter changed after signing (null: removed). */
    private static AccessControl.Request rpcWith(AccessControl.Request request, String name, String value) {
        Map<String, String> form = new LinkedHashMap<>(request.form());
        if (value == null) {
            form.remove(name);
        } else {
            form.put(name, value);
        }
        return new AccessControl.Request(request.method(), request.path(), request.query(), form, request.headers(), request.body(), false);
    }

    /** An ACS3-HMAC-SHA256 GET with its action in x-acs-action, signing the headers named in {@code signed}. */
    private static AccessControl.Request acs3(AccessKey key, String action, List<String> signed, String nonce) {
        return acs3(key, action, signed, nonce, NOW);
    }

    private static final List<String> ACS3_SIGNED = List.of(
            "host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version");

    private static AccessControl.Request acs3(AccessKey key, String action, List<String> signed, String nonce, Instant at) {
        Map<String, String> headers = new HashMap<>();
        headers.put("host", "127.0.0.1:8080");
        headers.put("x-acs-action", action);
        headers.put("x-acs-version", "2020-11-09");
        headers.put("x-acs-date", at.toString());
        headers.put("x-acs-signature-nonce", nonce);
        headers.put("x-acs-content-sha256", Signatures.EMPTY_SHA256);
        Map<String, String> query = Map.of("MaxResults", "10");
        String signature = Signatures.acs3("GET", "/", query, headers, signed, Signatures.EMPTY_SHA256, key.accessKeySecret);
        headers.put("authorization", "ACS3-HMAC-SHA256 Credential=" + key.accessKeyId + ",SignedHeaders="
                + String.join(";", signed) + ",Signature=" + signature);
        return new AccessControl.Request("GET", "/", query, Map.of(), headers, new byte[0], false);
    }

    private static IceException refused(Runnable call) {
        IceException e = catchThrowableOfType(IceException.class, call::run);
        assertThat(e).as("the request was refused").isNotNull();
        return e;
    }

    @Test
    void acceptsASignedRequestOnceAndRefusesItsReplay() {
        AccessControl access = access(50, 100);
        assertThat(access.authenticate(rpc(A, "n-1", NOW, "ListSmartJobs"), NOW)).isSameAs(A);

        assertThat(refused(() -> access.authenticate(rpc(A, "n-1", NOW, "ListSmartJobs"), NOW.plusSeconds(1))).code())
                .isEqualTo("SignatureNonceUsed");
        assertThat(access.authenticate(rpc(B, "n-1", NOW, "ListSmartJobs"), NOW)).as("nonces are per key").isSameAs(B);
    }

    @Test
    void refusesTimestampsOutsideTheWindowAndForeignSignatures() {
        AccessControl access = access(50, 100);
        assertThat(refused(() -> access.authenticate(rpc(A, "n", NOW.minus(WINDOW).minusSeconds(1), "ListSmartJobs"), NOW)).code())
                .isEqualTo("InvalidTimeStamp.Expired");
        AccessControl.Request signedByB = rpc(B, "n", NOW, "ListSmartJobs");
        Map<String, String> claimsA = new HashMap<>(signedByB.form());
        claimsA.put("AccessKeyId", A.accessKeyId);
        assertThat(refused(() -> access.authenticate(new AccessControl.Request("POST", "/", Map.of(), claimsA, Map.of(), new byte[0], false), NOW)).code())
                .isEqualTo("SignatureDoesNotMatch");
    }

    @Test
    void bothSignatureStylesAreAcceptedAndAForgedOneOfEitherIsNot() {
        AccessControl access = access(50, 100);
        assertThat(access.authenticate(rpc(A, "form", NOW, "SubmitASRJob"), NOW)).as("RPC v1, form body").isSameAs(A);
        assertThat(access.authenticate(rpcGet(A, "query", NOW), NOW)).as("RPC v1, query").isSameAs(A);
        assertThat(access.authenticate(acs3(B, "ListSmartJobs", ACS3_SIGNED, "acs3"), NOW)).as("ACS3").isSameAs(B);

        AccessControl.Request rpcChanged = rpcWith(rpc(A, "changed", NOW, "ListSmartJobs"), "Action", "SubmitASRJob");
        assertThat(refused(() -> access.authenticate(rpcChanged, NOW)).code()).isEqualTo("SignatureDoesNotMatch");
        AccessControl.Request acs3Forged = acs3(new AccessKey(B.userId, B.accessKeyId, "not B's secret"), "ListSmartJobs", ACS3_SIGNED, "forged");
        assertThat(refused(() -> access.authenticate(acs3Forged, NOW)).code()).isEqualTo("SignatureDoesNotMatch");
    }

    @Test
    void unknownKeysAndMissingOrUnsupportedPartsAreRefusedByName() {
        AccessControl access = access(50, 100);
        AccessKey stranger = new AccessKey(9L, "LTAIunknown", "whatever");
        assertThat(refused(() -> access.authenticate(rpc(stranger, "n", NOW, "ListSmartJobs"), NOW)).code())
                .isEqualTo("InvalidAccessKeyId.NotFound");
        assertThat(refused(() -> access.authenticate(acs3(stranger, "ListSmartJobs", ACS3_SIGNED, "n"), NOW)).code())
                .isEqualTo("InvalidAccessKeyId.NotFound");
        for (String required : List.of("AccessKeyId", "SignatureMethod", "SignatureNonce", "Timestamp")) {
            IceException e = refused(() -> access.authenticate(rpcWith(rpc(A, "n", NOW, "ListSmartJobs"), required, null), NOW));
            assertThat(e.code()).as(required).isEqualTo("MissingParameter");
            assertThat(e.getMessage()).contains(required);
        }
        assertThat(refused(() -> access.authenticate(rpcWith(rpc(A, "n", NOW, "ListSmartJobs"), "SignatureMethod", "HMAC-SHA256"), NOW)).code())
                .isEqualTo("InvalidParameter");
        assertThat(refused(() -> access.authenticate(rpcWith(rpc(A, "n", NOW, "ListSmartJobs"), "SignatureVersion", "2.0"), NOW)).code())
                .isEqualTo("InvalidParameter");
    }

    @Test
    void theWindowIncludesItsEdgesAndNothingBeyondThemEitherWay() {
        AccessControl access = access(50, 100);
        assertThat(access.authenticate(rpc(A, "earliest", NOW.minus(WINDOW), "ListSmartJobs"), NOW)).isSameAs(A);
        assertThat(access.authenticate(rpc(A, "latest", NOW.plus(WINDOW), "ListSmartJobs"), NOW)).isSameAs(A);
        assertThat(refused(() -> access.authenticate(rpc(A, "too-old", NOW.minus(WINDOW).minusSeconds(1), "ListSmartJobs"), NOW)).code())
                .isEqualTo("InvalidTimeStamp.Expired");
        assertThat(refused(() -> access.authenticate(rpc(A, "too-new", NOW.plus(WINDOW).plusSeconds(1), "ListSmartJobs"), NOW)).code())
                .isEqualTo("InvalidTimeStamp.Expired");

        assertThat(access.authenticate(acs3(A, "ListSmartJobs", ACS3_SIGNED, "acs3-earliest", NOW.minus(WINDOW)), NOW)).isSameAs(A);
        assertThat(refused(() -> access.authenticate(acs3(A, "ListSmartJobs", ACS3_SIGNED, "acs3-too-new", NOW.plus(WINDOW).plusMillis(1)), NOW)).code())
                .isEqualTo("InvalidTimeStamp.Expired");
        assertThat(refused(() -> access.authenticate(rpc(A, "n", NOW, "ListSmartJobs"), NOW.plus(WINDOW).plusSeconds(1))).code())
                .as("the server's clock moved on past the window").isEqualTo("InvalidTimeStamp.Expired");
        Map<String, String> unreadable = new LinkedHashMap<>(rpc(A, "n", NOW, "ListSmartJobs").form());
        unreadable.remove("Signature");
        unreadable.put("Timestamp", "yesterday");
        unreadable.put("Signature", Signatures.rpcV1("POST", unreadable, A.accessKeySecret));
        assertThat(refused(() -> access.authenticate(new AccessControl.Request("POST", "/", Map.of(), unreadable, Map.of(), new byte[0], false), NOW)).code())
                .as("a signed but unreadable timestamp").isEqualTo("InvalidTimeStamp.Format");
    }

    @Test
    void aReplayIsRefusedWhileItsTimestampIsInTheWindowAndExpiredAfter() {
        AccessControl access = access(50, 100);
        AccessControl.Request request = rpc(A, "once", NOW, "SubmitASRJob");
        assertThat(access.authenticate(request, NOW)).isSameAs(A);
        assertThat(refused(() -> access.authenticate(request, NOW.plus(WINDOW))).code()).isEqualTo("SignatureNonceUsed");
        assertThat(refused(() -> access.authenticate(request, NOW.plus(WINDOW).plusSeconds(1))).code()).isEqualTo("InvalidTimeStamp.Expired");
        // the same nonce with a fresh timestamp, within the two windows it is kept for
        assertThat(refused(() -> access.authenticate(rpc(A, "once", NOW.plus(WINDOW), "SubmitASRJob"), NOW.plus(WINDOW))).code())
                .isEqualTo("SignatureNonceUsed");

        AccessControl.Request acs3 = acs3(A, "SubmitASRJob", ACS3_SIGNED, "acs3-once");
        assertThat(access.authenticate(acs3, NOW)).isSameAs(A);
        assertThat(refused(() -> access.authenticate(acs3, NOW.plusSeconds(1))).code()).isEqualTo("SignatureNonceUsed");
    }

    @Test
    void aRefusedRequestDoesNotSpendItsNonce() {
        AccessControl access = access(50, 100);
        AccessControl.Request forged = rpcWith(rpc(A, "kept", NOW, "ListSmartJobs"), "Action", "SubmitASRJob");
        refused(() -> access.authenticate(forged, NOW));
        refused(() -> access.authenticate(rpc(A, "kept", NOW.minus(WINDOW.multipliedBy(2)), "ListSmartJobs"), NOW));
        assertThat(access.noncesOf(A.accessKeyId)).isZero();
        assertThat(access.authenticate(rpc(A, "kept", NOW, "ListSmartJobs"), NOW)).isSameAs(A);
    }

    /**
     * The attack: one tenant sends a flood of signed requests with fresh nonces. Before, each one's nonce
     * was stored before the rate limit was checked, in one table for all tenants with one cap: the flood
     * filled it and every tenant was throttled. Now only the requests within A's budget leave a nonce,
     * in A's own book, and B is not touched.
     */
    @Test
    void aTenantFloodingWithFreshNoncesSpendsOnlyItsOwnBudget() {
        AccessControl access = access(50, 100);
        int throttled = 0;
        for (int i = 0; i < 20_000; i++) {
            try {
                access.authenticate(rpc(A, "flood-" + i, NOW, "ListSmartJobs"), NOW);
            } catch (IceException e) {
                assertThat(e.code()).isEqualTo("Throttling");
                throttled++;
            }
        }
        int accepted = 20_000 - throttled;
        assertThat(throttled).as("A is throttled past its burst of 100 (no refill on the fixed clock)").isEqualTo(20_000 - 100);
        assertThat(access.noncesOf(A.accessKeyId)).as("only accepted requests leave a nonce").isEqualTo(accepted);
        assertThat(access.authenticate(rpc(B, "b-1", NOW, "SubmitASRJob"), NOW)).as("B is untouched").isSameAs(B);
        assertThat(access.noncesOf(B.accessKeyId)).isEqualTo(1);
    }

    @Test
    void aKeysNonceBookIsBoundedAndForgetsANonceWhenItsTimestampLeavesTheWindow() {
        NonceBook book = new NonceBook(3, WINDOW);
        assertThat(book.use("a", NOW, NOW)).isEqualTo(NonceBook.Use.NEW);
        assertThat(book.use("b", NOW, NOW)).isEqualTo(NonceBook.Use.NEW);
        Instant ahead = NOW.plus(WINDOW);
        assertThat(book.use("c", ahead, NOW.plusSeconds(60))).as("a client whose clock is a window ahead").isEqualTo(NonceBook.Use.NEW);
        assertThat(book.use("d", NOW, NOW.plusSeconds(60))).isEqualTo(NonceBook.Use.FULL);
        assertThat(book.use("a", NOW, NOW.plusSeconds(60))).isEqualTo(NonceBook.Use.USED);
        assertThat(book.use("a", NOW.plusSeconds(60), NOW.plusSeconds(60))).as("the same nonce signed at another time").isEqualTo(NonceBook.Use.USED);

        Instant stillInside = NOW.plus(WINDOW);
        assertThat(book.use("a", NOW, stillInside)).as("a replay at the window's edge passes the timestamp check").isEqualTo(NonceBook.Use.USED);
        Instant later = NOW.plus(WINDOW).plusMillis(NonceBook.BUCKET_MILLIS + 1);
        assertThat(book.use("a", later, later)).as("a and b are forgotten, c is not").isEqualTo(NonceBook.Use.NEW);
        assertThat(book.use("c", later, later)).isEqualTo(NonceBook.Use.USED);
        assertThat(book.size()).isEqualTo(2);
        Instant muchLater = ahead.plus(WINDOW).plusMillis(NonceBook.BUCKET_MILLIS + 1);
        assertThat(book.use("c", muchLater, muchLater)).as("c is forgotten once its own timestamp leaves").isEqualTo(NonceBook.Use.NEW);
    }

    /**
     * The defect: each key's book was bounded, but the books together were not, and a nonce cost about 160
     * bytes kept for two windows. Eighteen keys each within the default budget (50 a second) filled a 256 MB
     * heap in 30 minutes. Now a nonce costs under 24 bytes and all books share one bound.
     */
    @Test
    void aMillionNoncesFitInUnder24BytesEach() {
        NonceBook book = new NonceBook(2_000_000, WINDOW);
        for (int i = 0; i < 1_000_000; i++) {
            Instant at = NOW.plusMillis(i / 2);
            assertThat(book.use("nonce-" + i, at, at)).isEqualTo(NonceBook.Use.NEW);
        }
        assertThat(book.size()).isEqualTo(1_000_000);
        assertThat(book.tableBytes()).isLessThan(24L * 1_000_000);
        Instant end = NOW.plusSeconds(500);
        assertThat(book.use("nonce-123456", end, end)).isEqualTo(NonceBook.Use.USED);
        assertThat(book.use("nonce-1000000", end, end)).isEqualTo(NonceBook.Use.NEW);
    }

    @Test
    void allKeysTogetherRememberAtMostTheServersNonceCapacity() {
        AccessControl access = new AccessControl(new AccessKeys(List.of(A, B)), WINDOW, false,
                new RateLimits(50, 100, Clock.fixed(NOW, ZoneOffset.UTC)), 150);
        for (int i = 0; i < 100; i++) {
            access.authenticate(rpc(A, "a-" + i, NOW, "ListSmartJobs"), NOW);
        }
        for (int i = 0; i < 50; i++) {
            access.authenticate(rpc(B, "b-" + i, NOW, "ListSmartJobs"), NOW);
        }
        assertThat(access.noncesRemembered()).isEqualTo(150);
        IceException full = refused(() -> access.authenticate(rpc(B, "b-50", NOW, "ListSmartJobs"), NOW));
        assertThat(full.code()).isEqualTo("Throttling.Api");
        assertThat(full.status()).isEqualTo(429);
        Instant later = NOW.plus(WINDOW).plusMillis(NonceBook.BUCKET_MILLIS + 1);
        assertThat(access.authenticate(rpc(B, "b-50", later, "ListSmartJobs"), later)).as("once the old nonces are forgotten").isSameAs(B);
        assertThat(access.noncesRemembered()).as("A's 100 and B's first 50 were forgotten, A's without a request of A's").isEqualTo(1);
        assertThat(access.noncesOf(A.accessKeyId)).isZero();
    }

    @Test
    void theBookHoldsWhatTheBudgetAllowsOverTwoWindows() {
        assertThat(access(50, 100).noncesPerKey()).isEqualTo(100 + 50 * 2 * 15 * 60);
    }

    @Test
    void refusesOverlongNonces() {
        assertThat(refused(() -> access(50, 100).authenticate(rpc(A, "n".repeat(129), NOW, "ListSmartJobs"), NOW)).code())
                .isEqualTo("InvalidParameter");
    }

    /**
     * The attack: an ACS3 request signed without x-acs-action had its header changed from ListSmartJobs to
     * SubmitASRJob in transit, and was accepted. Every header that carries meaning must now be signed.
     */
    @Test
    void acs3RequestsCannotChangeTheirActionInTransit() {
        AccessControl access = access(50, 100);
        List<String> all = ACS3_SIGNED;
        assertThat(access.authenticate(acs3(A, "ListSmartJobs", all, "ok"), NOW)).isSameAs(A);

        List<String> withoutAction = List.of("host", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version");
        AccessControl.Request unsignedAction = acs3(A, "ListSmartJobs", withoutAction, "n-1");
        unsignedAction.headers().put("x-acs-action", "SubmitASRJob");
        IceException e = refused(() -> access.authenticate(unsignedAction, NOW));
        assertThat(e.code()).isEqualTo("IncompleteSignature");
        assertThat(e.getMessage()).contains("x-acs-action");

        AccessControl.Request signedAction = acs3(A, "ListSmartJobs", all, "n-2");
        signedAction.headers().put("x-acs-action", "SubmitASRJob");
        assertThat(refused(() -> access.authenticate(signedAction, NOW)).code()).isEqualTo("SignatureDoesNotMatch");

        List<String> withoutVersion = List.of("host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce");
        assertThat(refused(() -> access.authenticate(acs3(A, "ListSmartJobs", withoutVersion, "n-3"), NOW)).code())
                .isEqualTo("IncompleteSignature");
    }

    @Test
    void acs3BodiesNeedTheirContentTypeSigned() {
        AccessControl access = access(50, 100);
        byte[] body = "Action=SubmitASRJob&InputFile=/m/a.mp3".getBytes(StandardCharsets.UTF_8);
        String hash = Signatures.sha256Hex(body);
        Map<String, String> headers = new HashMap<>();
        headers.put("host", "h");
        headers.put("x-acs-action", "SubmitASRJob");
        headers.put("x-acs-version", "2020-11-09");
        headers.put("x-acs-date", NOW.toString());
        headers.put("x-acs-signature-nonce", "n");
        headers.put("x-acs-content-sha256", hash);
        headers.put("content-type", "application/x-www-form-urlencoded");
        List<String> signed = List.of("host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version");
        headers.put("authorization", "ACS3-HMAC-SHA256 Credential=" + A.accessKeyId + ",SignedHeaders=" + String.join(";", signed)
                + ",Signature=" + Signatures.acs3("POST", "/", Map.of(), headers, signed, hash, A.accessKeySecret));
        assertThat(refused(() -> access.authenticate(new AccessControl.Request("POST", "/", Map.of(), Map.of(), headers, body, false), NOW)).code())
                .isEqualTo("IncompleteSignature");
    }

    @Test
    void unsignedRequestsOnlyFromLoopbackWhereAllowedAndOnlyForTheFirstKey() {
        AccessControl open = new AccessControl(new AccessKeys(List.of(A, B)), WINDOW, true, new RateLimits(50, 100, Clock.fixed(NOW, ZoneOffset.UTC)));
        Map<String, String> query = Map.of("Action", "ListSmartJobs");
        assertThat(open.authenticate(new AccessControl.Request("GET", "/", query, Map.of(), Map.of(), new byte[0], true), NOW)).isSameAs(A);
        assertThat(refused(() -> open.authenticate(new AccessControl.Request("GET", "/", query, Map.of(), Map.of(), new byte[0], false), NOW)).code())
                .isEqualTo("Forbidden");
        Map<String, String> asB = Map.of("Action", "ListSmartJobs", "AccessKeyId", B.accessKeyId);
        assertThat(refused(() -> open.authenticate(new AccessControl.Request("GET", "/", asB, Map.of(), Map.of(), new byte[0], true), NOW)).code())
                .isEqualTo("MissingParameter");
        assertThat(refused(() -> access(50, 100).authenticate(new AccessControl.Request("GET", "/", query, Map.of(), Map.of(), new byte[0], true), NOW)).code())
                .isEqualTo("MissingParameter");
    }
}
