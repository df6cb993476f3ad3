package io.flinkasr.media.remote;

import io.flinkasr.media.MediaException;

import io.flinkasr.media.remote.RemoteMedia.FetchStep;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Fetches s3://bucket/key, oss://bucket/key and oss://bucket.endpoint/key InputFiles through the S3 API
 * (OSS speaks it too) with ranged GetObject requests, a step at a time, from a configured endpoint with
 * configured credentials.
 *
 * <p>The endpoint in an oss://bucket.endpoint/key URL is chosen by whoever submits the job, so it is used
 * only where the operator listed it ({@code asr.media.s3.oss-endpoints}, plus the host of
 * {@code asr.media.s3.endpoint}); otherwise the input is refused (InputFile.AccessDenied). Everything else
 * goes to {@code asr.media.s3.endpoint}.
 *
 * <p>The client is MinIO's ({@code io.minio:minio}) rather than the AWS SDK v2: it is one small jar on
 * the OkHttp that the http(s) source uses anyway (the AWS SDK brings its own HTTP stack, Netty or Apache
 * HttpClient, and dozens of modules), it speaks to any S3-compatible store, and it switches to
 * virtual-host addressing by itself for AWS and Alibaba Cloud (aliyuncs.com) endpoints, the only style OSS
 * accepts, keeping path style for MinIO and other stores.
 */
final class BucketSource implements AutoCloseable {
    private static final Pattern LOCATION = Pattern.compile("(?i)(s3|oss)://([^/]*)/(.*)", Pattern.DOTALL);
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern OSS_REGION = Pattern.compile("(?:s3\\.)?(oss-[a-z0-9-]+?)(?:-internal)?\\.aliyuncs\\.com");
    private static final Set<String> NOT_FOUND = Set.of("NoSuchKey", "NoSuchBucket", "NoSuchVersion", "NoSuchObject");
    private static final Set<String> DENIED = Set.of(
            "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled", "AccountProblem",
            "InvalidObjectState", "ExpiredToken", "InvalidToken");

    /** Where an InputFile lies: the store's endpoint URL, the region requests are signed for, bucket and key. */
    record BucketObject(String endpoint, String region, String bucket, String key) {}

    private final RemoteMediaSettings settings;
    private final ObjectTransfer transfer;
    private final List<String> ossEndpoints;
    private final OkHttpClient http;
    private final Map<String, MinioClient> clients = new ConcurrentHashMap<>();

    BucketSource(RemoteMediaSettings settings, ObjectTransfer transfer) {
        this.settings = settings;
        this.transfer = transfer;
        List<String> endpoints = new ArrayList<>(settings.ossEndpoints());
        if (settings.s3Endpoint() != null) {
            endpoints.add(settings.s3Endpoint());
        }
        this.ossEndpoints = List.copyOf(endpoints);
        this.http = new OkHttpClient.Builder()
                .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .callTimeout(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build();
    }

    /** Where the InputFile lies, after checking its form and that its endpoint may be used. */
    BucketObject locate(String inputFile) throws MediaException {
        Matcher m = LOCATION.matcher(inputFile);
        if (!m.matches()) {
            throw FetchFailure.invalid("An s3:// or oss:// InputFile names a bucket and an object: oss://bucket/key.");
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String authority = m.group(2);
        String key = m.group(3);
        if (authority.contains("@")) {
            throw FetchFailure.invalid("The InputFile must not carry credentials.");
        }
        if (key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > 1024
                || key.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw FetchFailure.invalid("The InputFile does not name a valid object: oss://bucket/key.");
        }
        String bucket = authority;
        String endpoint = settings.s3Endpoint();
        String region = settings.s3Region() != null ? settings.s3Region() : regionOf(endpoint);
        int dot = authority.indexOf('.');
        if (scheme.equals("oss") && dot >= 0) {
            // Alibaba's form oss://bucket.endpoint/key (OSS bucket names have no dots)
            bucket = authority.substring(0, dot);
            endpoint = ossEndpoint(authority.substring(dot + 1));
            region = regionOf(endpoint) != null ? regionOf(endpoint) : settings.s3Region();
        }
        if (!BUCKET.matcher(bucket).matches()) {
            throw FetchFailure.invalid("The InputFile's bucket name is not valid.");
        }
        if (endpoint == null) {
            throw FetchFailure.invalid("This service is not configured to read " + scheme + ":// InputFiles.");
        }
        return new BucketObject(endpoint, region != null ? region : "us-east-1", bucket, key);
    }

    FetchStep fetch(String inputFile, Path target, long from, long maxBytes) throws MediaException {
        BucketObject object = locate(inputFile);
        MinioClient client = client(object);
        try (StagingFile file = transfer.open(target, from)) {
            long start = file.length();
            GetObjectArgs.Builder request = GetObjectArgs.builder().bucket(object.bucket()).object(object.key()).offset(start);
            if (maxBytes < Long.MAX_VALUE - start) {
                request.length(maxBytes); // else bytes=start- : the object's end is nearer
            }
            try (GetObjectResponse response = client.getObject(request.build())) {
                ContentRange range = ContentRange.parse(response.headers().get("Content-Range"));
                long total = range != null ? range.total() : contentLength(response.headers().get("Content-Length"));
                long answerStart = range != null && range.start() >= 0 ? range.start() : 0;
                return transfer.take(
                        new ObjectTransfer.Answer(answerStart, total, response.headers().get("ETag"), response),
                        file, target, maxBytes);
            } catch (ErrorResponseException e) {
                if ("InvalidRange".equals(e.errorResponse().code())) {
                    return transfer.pastEnd(file, target, size(client, object));
                }
                throw failure(e);
            } catch (IOException e) {
                throw FetchFailure.of(e);
            } catch (MediaException e) {
                throw e;
            } catch (Exception e) {
                throw failure(e);
            }
        }
    }

    private long size(MinioClient client, BucketObject object) throws MediaException {
        try {
            return client.statObject(StatObjectArgs.builder().bucket(object.bucket()).object(object.key()).build()).size();
        } catch (Exception e) {
            throw failure(e);
        }
    }

    private MinioClient client(BucketObject object) {
        return clients.computeIfAbsent(object.endpoint() + " " + object.region(), k -> {
            MinioClient.Builder builder =
                    MinioClient.builder().endpoint(object.endpoint()).region(object.region()).httpClient(http);
            if (settings.s3AccessKey() != null) {
                builder.credentials(settings.s3AccessKey(), settings.s3SecretKey());
            }
            return builder.build();
        });
    }

    /** The listed endpoint URL whose host (and port, where the input gives one) the input names. */
    private String ossEndpoint(String hostAndPort) throws MediaException {
        HttpUrl named = HttpUrl.parse("http://" + hostAndPort + "/");
        if (named != null && named.encodedPath().equals("/")) {
            boolean portGiven = hostAndPort.matches(".*:\\d+");
            for (String endpoint : ossEndpoints) {
                HttpUrl listed = HttpUrl.get(endpoint);
                boolean samePort = portGiven ? listed.port() == named.port() : listed.port() == HttpUrl.defaultPort(listed.scheme());
                if (listed.host().equals(named.host()) && samePort) {
                    return endpoint;
                }
            }
        }
        throw FetchFailure.denied("The InputFile names an OSS endpoint this service may not read from.");
    }

    /** oss-cn-shanghai for https://oss-cn-shanghai.aliyuncs.com/ (and its -internal and s3. forms). */
    private static String regionOf(String endpoint) {
        if (endpoint == null) {
            return null;
        }
        Matcher m = OSS_REGION.matcher(HttpUrl.get(endpoint).host());
        return m.matches() ? m.group(1) : null;
    }

    private static long contentLength(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static MediaException failure(Exception e) {
        if (e instanceof ErrorResponseException r) {
            String code = r.errorResponse().code();
            int status = r.response() != null ? r.response().code() : 0;
            if (NOT_FOUND.contains(code) || status == 404) {
                return FetchFailure.notFound();
            }
            if (DENIED.contains(code) || status == 401 || status == 403) {
                return FetchFailure.denied("The object store refused access to the InputFile.");
            }
            boolean plainCode = code != null && code.matches("[A-Za-z.]{1,64}");
            return FetchFailure.unreachable(
                    "The object store answered with an error" + (plainCode ? " (" + code + ")" : "") + ".");
        }
        if (e instanceof IOException io) {
            return FetchFailure.of(io);
        }
        if (e.getCause() instanceof IOException io) {
            return FetchFailure.of(io);
        }
        return FetchFailure.unreachable("The object store could not be read.");
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
