package io.flinkasr.media.remote;

import io.flinkasr.media.MediaException;

import io.flinkasr.media.remote.RemoteMedia.FetchStep;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Fetches http:// and https:// InputFiles with ranged GETs ({@code Range: bytes=from-(from+step-1)}), a
 * step at a time.
 *
 * <p>Where every connection may go is decided by the {@link AddressPolicy}: a literal address in a URL is
 * checked before the request, a host name is resolved by {@link CheckedDns}, which gives OkHttp only
 * permitted addresses, so the address checked is the one connected to. No proxy is used (a proxy would
 * resolve names itself). Redirects are followed here, not by OkHttp, at most {@code max-redirects} of
 * them, each target checked like the first URL.
 *
 * <p>A server that ignores {@code Range} (200 instead of 206) is read from the start of the object again
 * at every step, the staged bytes skipped: this is correct but costs quadratic transfer for large files,
 * and a skip that does not finish within the call timeout ends the job with InputFile.Timeout. Later steps
 * send {@code If-Range} with the object's ETag (or Last-Modified), so that an object replaced between
 * steps comes back whole and the staging file starts over.
 */
final class HttpSource implements AutoCloseable {
    /** What OkHttp takes for an IP literal and connects to without asking its Dns. */
    private static final Pattern OKHTTP_LITERAL = Pattern.compile("([0-9a-fA-F]*:[0-9a-fA-F:.]*)|([\\d.]+)");
    private static final String REFUSED = "The InputFile's host or port is not one this service may fetch from.";

    private final RemoteMediaSettings settings;
    private final AddressPolicy policy;
    private final Dns resolver;
    private final ObjectTransfer transfer;
    private final OkHttpClient client;
    private final Map<Integer, OkHttpClient> clientsByPort = new ConcurrentHashMap<>();

    HttpSource(RemoteMediaSettings settings, Dns resolver, ObjectTransfer transfer) {
        this.settings = settings;
        this.policy = new AddressPolicy(settings.allowedAddresses(), settings.allowedPorts(), settings.deniedPorts());
        this.resolver = resolver;
        this.transfer = transfer;
        this.client = new OkHttpClient.Builder()
                .proxy(Proxy.NO_PROXY)
                .followRedirects(false)
                .followSslRedirects(false)
                .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .callTimeout(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build();
    }

    /**
     * Checks the URL's form, scheme, port and, for a literal address, the address; a host name is
     * resolved and refused where none of its addresses is permitted. A name that does not resolve now
     * passes: the fetch decides (InputFile.Unreachable), DNS trouble may pass.
     */
    void check(String inputFile) throws MediaException {
        HttpUrl url = url(inputFile);
        permit(url);
        if (AddressBlock.literal(url.host()) == null) {
            List<InetAddress> addresses;
            try {
                addresses = CheckedDns.resolve(resolver, url.host());
            } catch (UnknownHostException e) {
                if (!policy.portAllowed(url.port())) {
                    throw FetchFailure.denied(REFUSED);
                }
                return;
            }
            if (addresses.stream().noneMatch(a -> policy.permits(a, url.port()))) {
                throw FetchFailure.denied(REFUSED);
            }
        }
    }

    FetchStep fetch(String inputFile, Path target, long from, long maxBytes) throws MediaException {
        HttpUrl url = url(inputFile);
        try (StagingFile file = transfer.open(target, from)) {
            long start = file.length();
            String known = start > 0 ? transfer.knownVersion(target) : null;
            try (Response response = follow(url, start, maxBytes, known)) {
                return take(response, file, target, maxBytes);
            } catch (IOException e) {
                throw FetchFailure.of(e);
            }
        }
    }

    private FetchStep take(Response response, StagingFile file, Path target, long maxBytes)
            throws MediaException, IOException {
        int code = response.code();
        switch (code) {
            case 206: {
                ContentRange range = ContentRange.parse(response.header("Content-Range"));
                if (range == null || range.start() < 0) {
                    throw FetchFailure.unreachable("The InputFile's server answered with a range that was not asked for.");
                }
                return transfer.take(
                        new ObjectTransfer.Answer(range.start(), range.total(), version(response), response.body().byteStream()),
                        file, target, maxBytes);
            }
            case 200:
                return transfer.take(
                        new ObjectTransfer.Answer(0, response.body().contentLength(), version(response), response.body().byteStream()),
                        file, target, maxBytes);
            case 416: {
                ContentRange range = ContentRange.parse(response.header("Content-Range"));
                return transfer.pastEnd(file, target, range == null ? -1 : range.total());
            }
            case 404:
            case 410:
                throw FetchFailure.notFound();
            case 401:
            case 403:
            case 407:
                throw FetchFailure.denied("The InputFile's server refused access to it.");
            case 408:
            case 504:
                throw FetchFailure.timeout();
            default:
                throw FetchFailure.unreachable("The InputFile's server answered HTTP " + code + ".");
        }
    }

    /** Sends the request, following redirects; every URL is checked before anything is sent to it. */
    private Response follow(HttpUrl first, long start, long maxBytes, String ifRange) throws MediaException, IOException {
        HttpUrl url = first;
        for (int redirects = 0; ; redirects++) {
            permit(url);
            Response response = clientFor(url.port()).newCall(request(url, start, maxBytes, ifRange)).execute();
            if (!response.isRedirect()) {
                return response;
            }
            String location = response.header("Location");
            response.close();
            if (redirects >= settings.maxRedirects()) {
                throw FetchFailure.denied(
                        "The InputFile's server redirected more than " + settings.maxRedirects() + " times.");
            }
            HttpUrl next = location == null ? null : url.resolve(location);
            if (next == null) {
                throw FetchFailure.denied("The InputFile's server redirected to a location this service may not fetch.");
            }
            try {
                url = canonical(next);
            } catch (MediaException e) {
                throw FetchFailure.denied("The InputFile's server redirected to a location this service may not fetch.");
            }
        }
    }

    private static Request request(HttpUrl url, long start, long maxBytes, String ifRange) {
        String range = maxBytes >= Long.MAX_VALUE - start ? start + "-" : start + "-" + (start + maxBytes - 1);
        Request.Builder request = new Request.Builder()
                .url(url)
                .header("Range", "bytes=" + range)
                .header("Accept-Encoding", "identity") // ranges count bytes as stored, not as decompressed
                .header("User-Agent", "flink-asr")
                // flink-asr's API refuses every request that carries this header: a URL (or a redirect) that
                // points at the API cannot make the fetcher act as a client of it
                .header(OutboundAddresses.FETCHER_HEADER, "1");
        if (ifRange != null) {
            request.header("If-Range", ifRange); // an object replaced since the last step comes back whole (200)
        }
        return request.build();
    }

    private OkHttpClient clientFor(int port) {
        return clientsByPort.computeIfAbsent(port, p -> client.newBuilder().dns(new CheckedDns(resolver, policy, p)).build());
    }

    /** Refuses a literal address (and its port) that the policy does not permit; names wait for CheckedDns. */
    private void permit(HttpUrl url) throws MediaException {
        InetAddress literal = AddressBlock.literal(url.host());
        if (literal == null && OKHTTP_LITERAL.matcher(url.host()).matches()) {
            throw FetchFailure.invalid("The InputFile URL's host is not a valid address.");
        }
        if (literal != null && !policy.permits(literal, url.port())) {
            throw FetchFailure.denied(REFUSED);
        }
    }

    /** The InputFile as an http(s) URL, without credentials, a numeric host written as dotted decimal. */
    static HttpUrl url(String inputFile) throws MediaException {
        if (inputFile.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw FetchFailure.invalid("The InputFile URL contains control characters.");
        }
        HttpUrl url = HttpUrl.parse(inputFile);
        if (url == null) {
            throw FetchFailure.invalid("The InputFile is not a valid http(s) URL.");
        }
        return canonical(url);
    }

    private static HttpUrl canonical(HttpUrl url) throws MediaException {
        if (!url.username().isEmpty() || !url.password().isEmpty()) {
            throw FetchFailure.invalid("The InputFile URL must not carry credentials.");
        }
        String host;
        try {
            host = NumericHost.canonical(url.host());
        } catch (IllegalArgumentException e) {
            throw FetchFailure.invalid("The InputFile URL's host is not a valid address.");
        }
        return host.equals(url.host()) ? url : url.newBuilder().host(host).build();
    }

    /** The object's version: a strong ETag, else Last-Modified (both usable in If-Range). */
    private static String version(Response response) {
        String etag = response.header("ETag");
        if (etag != null && !etag.startsWith("W/")) {
            return etag;
        }
        return response.header("Last-Modified");
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
