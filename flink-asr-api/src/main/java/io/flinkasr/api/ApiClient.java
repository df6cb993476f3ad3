package io.flinkasr.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.api.AccessKey;
import io.flinkasr.api.Signatures;
import io.flinkasr.records.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A client of flink-asr's API as the official SDKs call it: form-encoded POSTs of ICE actions, signed
 * with the RPC v1 signature of the given access key (or unsigned, where the server allows that).
 */
public final class ApiClient {
    /** An answer: the HTTP status and the JSON body. */
    public record Answer(int status, JsonNode body) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    /** HTTP/1.1, as the API serves: no h2c upgrade to try on each new connection. */
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final String endpoint;
    private final AccessKey key;

    public ApiClient(String endpoint, AccessKey key) {
        this.endpoint = endpoint;
        this.key = key;
    }

    public Answer send(String action, Map<String, String> parameters) throws IOException, InterruptedException {
        String body = form(action, parameters);
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), Json.MAPPER.readTree(response.body()));
    }

    /** The form body of a request for the action, signed with this client's key (a fresh nonce each time). */
    public String form(String action, Map<String, String> parameters) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("Action", action);
        form.put("Version", "2020-11-09");
        form.put("Format", "JSON");
        form.putAll(parameters);
        if (key != null) {
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            form.put("AccessKeyId", key.accessKeyId);
            form.put("SignatureMethod", "HMAC-SHA1");
            form.put("SignatureVersion", "1.0");
            form.put("SignatureNonce", HexFormat.of().formatHex(nonce));
            form.put("Timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            form.put("Signature", Signatures.rpcV1("POST", form, key.accessKeySecret));
        }
        return form.entrySet().stream()
                .map(e -> Signatures.percent(e.getKey()) + "=" + Signatures.percent(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    /** Sends and returns the body of a successful answer; an ICE error becomes an IOException with its Code. */
    public JsonNode call(String action, Map<String, String> parameters) throws IOException, InterruptedException {
        Answer answer = send(action, parameters);
        if (answer.status() != 200) {
            throw new IOException(action + " answered " + answer.body().path("Code").asText() + ": "
                    + answer.body().path("Message").asText());
        }
        return answer.body();
    }
}
