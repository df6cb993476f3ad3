package io.flinkasr.media.remote;

import io.flinkasr.config.AsrOptions;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import okhttp3.HttpUrl;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * What {@link RemoteMedia} may fetch and how: size and time limits, the addresses and ports http(s)
 * inputs may reach, and the object store that s3:// and oss:// inputs are read from, with its
 * credentials. Serializable, so that an operator can carry it and build its {@code RemoteMedia} in
 * {@code open}. Built with {@link #from(Configuration)}, which checks every value once, at start-up.
 */
public final class RemoteMediaSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long maxBytes;
    private final long stepBytes;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration callTimeout;
    private final ArrayList<String> allowedAddresses;
    private final ArrayList<Integer> allowedPorts;
    private final ArrayList<Integer> deniedPorts;
    private final int maxRedirects;
    private final String s3Endpoint;
    private final String s3Region;
    private final String s3AccessKey;
    private final String s3SecretKey;
    private final ArrayList<String> ossEndpoints;

    private RemoteMediaSettings(Configuration config) {
        maxBytes = positive(config.get(AsrOptions.MEDIA_MAX_BYTES).getBytes(), AsrOptions.MEDIA_MAX_BYTES.key());
        stepBytes = positive(config.get(AsrOptions.FETCH_STEP_BYTES).getBytes(), AsrOptions.FETCH_STEP_BYTES.key());
        connectTimeout = positive(config.get(AsrOptions.FETCH_CONNECT_TIMEOUT), AsrOptions.FETCH_CONNECT_TIMEOUT.key());
        readTimeout = positive(config.get(AsrOptions.FETCH_READ_TIMEOUT), AsrOptions.FETCH_READ_TIMEOUT.key());
        callTimeout = positive(config.get(AsrOptions.FETCH_CALL_TIMEOUT), AsrOptions.FETCH_CALL_TIMEOUT.key());
        allowedAddresses = new ArrayList<>();
        for (String block : config.get(AsrOptions.HTTP_ALLOWED_ADDRESSES)) {
            String trimmed = block.trim();
            try {
                AddressBlock.parse(trimmed);
            } catch (IllegalArgumentException e) {
                throw invalid(AsrOptions.HTTP_ALLOWED_ADDRESSES.key(), e.getMessage());
            }
            allowedAddresses.add(trimmed);
        }
        allowedPorts = new ArrayList<>();
        for (int port : config.get(AsrOptions.HTTP_ALLOWED_PORTS)) {
            if (port < 1 || port > 65535) {
                throw invalid(AsrOptions.HTTP_ALLOWED_PORTS.key(), port + " is not a port");
            }
            allowedPorts.add(port);
        }
        deniedPorts = new ArrayList<>();
        for (int port : config.get(AsrOptions.HTTP_DENIED_PORTS)) {
            if (port < 1 || port > 65535) {
                throw invalid(AsrOptions.HTTP_DENIED_PORTS.key(), port + " is not a port");
            }
            deniedPorts.add(port);
        }
        maxRedirects = config.get(AsrOptions.HTTP_MAX_REDIRECTS);
        if (maxRedirects < 0 || maxRedirects > 20) {
            throw invalid(AsrOptions.HTTP_MAX_REDIRECTS.key(), "must be between 0 and 20");
        }
        s3Endpoint = config.getOptional(AsrOptions.S3_ENDPOINT).map(String::trim).filter(e -> !e.isEmpty())
                .map(e -> endpoint(e, AsrOptions.S3_ENDPOINT.key())).orElse(null);
        s3Region = config.getOptional(AsrOptions.S3_REGION).map(String::trim).filter(r -> !r.isEmpty()).orElse(null);
        s3AccessKey = config.getOptional(AsrOptions.S3_ACCESS_KEY).filter(k -> !k.isEmpty()).orElse(null);
        s3SecretKey = config.getOptional(AsrOptions.S3_SECRET_KEY).orElse("");
        ossEndpoints = new ArrayList<>();
        for (String entry : config.get(AsrOptions.OSS_ENDPOINTS)) {
            String trimmed = entry.trim();
            ossEndpoints.add(endpoint(trimmed.contains("://") ? trimmed : "https://" + trimmed, AsrOptions.OSS_ENDPOINTS.key()));
        }
    }

    /** The settings in {@code config}; an unusable value fails here, naming its key. */
    public static RemoteMediaSettings from(Configuration config) {
        return new RemoteMediaSettings(config);
    }

    /** Largest object fetched, in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** How many bytes a caller should ask {@link RemoteMedia#fetch} for per step ({@code asr.media.fetch.step-bytes}). */
    public long stepBytes() {
        return stepBytes;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    /** CIDR blocks that http(s) inputs may reach although they are not public. */
    public List<String> allowedAddresses() {
        return List.copyOf(allowedAddresses);
    }

    public List<Integer> allowedPorts() {
        return List.copyOf(allowedPorts);
    }

    /** Ports never reached on an address that is not public: flink-asr's own listeners. */
    public List<Integer> deniedPorts() {
        return List.copyOf(deniedPorts);
    }

    public int maxRedirects() {
        return maxRedirects;
    }

    /** The S3 endpoint as a URL ending in {@code /}, or null where s3:// and oss://bucket/key are not served. */
    String s3Endpoint() {
        return s3Endpoint;
    }

    String s3Region() {
        return s3Region;
    }

    String s3AccessKey() {
        return s3AccessKey;
    }

    String s3SecretKey() {
        return s3SecretKey;
    }

    /** The OSS endpoints an oss:// input may name, as URLs ending in {@code /}. */
    List<String> ossEndpoints() {
        return List.copyOf(ossEndpoints);
    }

    /** Never shows the secret key. */
    @Override
    public String toString() {
        return "RemoteMediaSettings{maxBytes=" + maxBytes + ", stepBytes=" + stepBytes
                + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", callTimeout=" + callTimeout
                + ", allowedAddresses=" + allowedAddresses + ", allowedPorts=" + allowedPorts + ", deniedPorts=" + deniedPorts
                + ", maxRedirects=" + maxRedirects + ", s3Endpoint=" + s3Endpoint + ", s3Region=" + s3Region
                + ", s3AccessKey=" + (s3AccessKey == null ? "none" : "set") + ", ossEndpoints=" + ossEndpoints + "}";
    }

    private static String endpoint(String value, String key) {
        HttpUrl url = HttpUrl.parse(value);
        if (url == null || !url.username().isEmpty() || !url.password().isEmpty()
                || !(url.encodedPath().equals("/") && url.query() == null && url.fragment() == null)) {
            throw invalid(key, "'" + value + "' is not an endpoint URL like https://host[:port]");
        }
        return url.toString().toLowerCase(Locale.ROOT);
    }

    private static long positive(long value, String key) {
        if (value <= 0) {
            throw invalid(key, "must be positive");
        }
        return value;
    }

    private static Duration positive(Duration value, String key) {
        if (value.isNegative() || value.isZero()) {
            throw invalid(key, "must be positive");
        }
        return value;
    }

    private static IllegalConfigurationException invalid(String key, String why) {
        return new IllegalConfigurationException("Invalid " + key + ": " + why);
    }
}
