package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fixed vectors computed by the official SDK's signer (com.aliyun:tea-openapi 0.3.2, openapiutil 0.2.1). */
class SignaturesTest {
    private static final String SECRET = "testAccessKeySecret";

    @Test
    void percentEncodingIsRfc3986() {
        assertThat(Signatures.percent("a b+c*~中/")).isEqualTo("a%20b%2Bc%2A~%E4%B8%AD%2F");
    }

    @Test
    void rpcV1MatchesTheSdk() {
        Map<String, String> p = new HashMap<>();
        p.put("AccessKeyId", "testAccessKeyId");
        p.put("Action", "SubmitASRJob");
        p.put("Description", "");
        p.put("Format", "json");
        p.put("InputFile", "oss://bucket/dir/a b+c*~中.mp4");
        p.put("SignatureMethod", "HMAC-SHA1");
        p.put("SignatureNonce", "0123456789abcdef0123456789abcdef");
        p.put("SignatureVersion", "1.0");
        p.put("Timestamp", "2024-01-02T03:04:05Z");
        p.put("Title", "My Title");
        p.put("Version", "2020-11-09");

        assertThat(Signatures.rpcV1("POST", p, SECRET)).isEqualTo("O1kbZm/fEVKz/tK+usaxgjE+ITA=");
        p.put("Signature", "anything");
        assertThat(Signatures.rpcV1("POST", p, SECRET)).as("Signature itself is not signed").isEqualTo("O1kbZm/fEVKz/tK+usaxgjE+ITA=");
        assertThat(Signatures.rpcV1("GET", p, SECRET)).isNotEqualTo("O1kbZm/fEVKz/tK+usaxgjE+ITA=");
    }

    @Test
    void acs3MatchesTheSdk() {
        Map<String, String> query = Map.of("JobType", "ASR", "MaxResults", "10", "NextToken", "a b*~");
        Map<String, String> headers = Map.of(
                "host", "127.0.0.1:8080",
                "x-acs-action", "ListSmartJobs",
                "x-acs-version", "2020-11-09",
                "x-acs-date", "2024-01-02T03:04:05Z",
                "x-acs-signature-nonce", "0123456789abcdef0123456789abcdef",
                "x-acs-content-sha256", Signatures.EMPTY_SHA256);
        List<String> signed = List.of("host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version");

        assertThat(Signatures.acs3("GET", "/", query, headers, signed, Signatures.EMPTY_SHA256, SECRET))
                .isEqualTo("2c7908c74c9e1997536b857961e4dbaf8b81a304e6e1240bab4a13593f0ff2fd");
    }
}
