package io.flinkasr.callbacks;

import io.flinkasr.api.AccessKey;
import io.flinkasr.media.remote.OutboundAddresses;
import io.flinkasr.records.Callback;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One attempt at a callback: a signed POST of the event to the NotifyAddress, through a client that may
 * only connect to addresses the media fetcher's policy permits (checked again now: DNS can change after
 * submit). Redirects are not followed. Any 2xx answer delivers it; anything else is a failed attempt.
 */
final class CallbackSender implements AutoCloseable {
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    /** How an attempt ended: delivered, or why not (naming no secret). */
    record Outcome(boolean delivered, String error) {
        static Outcome failed(String error) {
            return new Outcome(false, error);
        }
    }

    private final OutboundAddresses addresses;
    private final OkHttpClient base;

    CallbackSender(OutboundAddresses addresses, Duration timeout) {
        this.addresses = addresses;
        this.base = new OkHttpClient.Builder()
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .callTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .retryOnConnectionFailure(false)
                .build();
    }

    /** Sends the callback signed with {@code key}, as attempt number {@code attempt} (1 for the first). */
    Outcome send(Callback callback, AccessKey key, int attempt, long nowMillis) {
        HttpUrl url;
        OkHttpClient client;
        try {
            url = OutboundAddresses.url(callback.address);
            client = addresses.clientFor(base, url);
        } catch (OutboundAddresses.Refused e) {
            return Outcome.failed("The NotifyAddress is refused: " + e.getMessage());
        }
        byte[] body = callback.event.getBytes(StandardCharsets.UTF_8);
        long timestamp = nowMillis / 1000;
        Request request = new Request.Builder()
                .url(url)
                .post(RequestBody.create(body, JSON))
                .header("User-Agent", "flink-asr-callbacks")
                .header(CallbackSignature.EVENT_ID, callback.eventId)
                .header(CallbackSignature.TIMESTAMP, Long.toString(timestamp))
                .header(CallbackSignature.ACCESS_KEY_ID, key.accessKeyId)
                .header(CallbackSignature.SIGNATURE, CallbackSignature.sign(key.accessKeySecret, timestamp, body))
                .header(CallbackSignature.ATTEMPT, Integer.toString(attempt))
                .build();
        try (Response response = client.newCall(request).execute()) {
            int code = response.code();
            if (code >= 200 && code < 300) {
                return new Outcome(true, null);
            }
            return Outcome.failed("The receiver answered HTTP " + code
                    + (code >= 300 && code < 400 ? " (redirects are not followed)." : "."));
        } catch (IOException e) {
            return Outcome.failed(reason(e));
        }
    }

    private static String reason(IOException e) {
        if (OutboundAddresses.refusedByPolicy(e)) {
            return "The NotifyAddress's host is not an address this service may send to.";
        }
        if (e instanceof InterruptedIOException) {
            return "The receiver did not answer in time.";
        }
        if (e instanceof UnknownHostException) {
            return "The NotifyAddress's host could not be resolved.";
        }
        if (e instanceof ConnectException) {
            return "The receiver could not be reached.";
        }
        if (e instanceof SSLException) {
            return "No secure connection could be made to the receiver.";
        }
        return "The connection to the receiver failed.";
    }

    @Override
    public void close() {
        base.dispatcher().executorService().shutdown();
        base.connectionPool().evictAll();
    }
}
