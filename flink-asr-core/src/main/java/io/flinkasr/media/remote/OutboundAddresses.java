package io.flinkasr.media.remote;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The SSRF policy of media fetching, for the other requests flink-asr sends to addresses its users give
 * (completion callbacks): the same {@code asr.media.http.*} allow-list, allowed and denied ports
 * ({@link AddressPolicy}), the same reading of numeric hosts ({@link NumericHost}), and clients whose name
 * lookup hands OkHttp only permitted addresses ({@link CheckedDns}), so the address checked is the one
 * connected to, at every request (DNS can change between a check at submit and a request hours later).
 * Thread-safe.
 */
public final class OutboundAddresses {
    /**
     * A header every http(s) media fetch sends. flink-asr's API refuses any request that carries it, so an
     * InputFile (or a redirect) that points at the API cannot make the fetcher a client of it.
     */
    public static final String FETCHER_HEADER = "X-Flink-Asr-Fetcher";

    private static final String REFUSED = "its host or port is not one this service may send to.";

    /** A URL the policy refuses, with a message that names no host or address. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private final AddressPolicy policy;
    private final Dns resolver;

    public OutboundAddresses(RemoteMediaSettings settings) {
        this(settings, Dns.SYSTEM);
    }

    OutboundAddresses(RemoteMediaSettings settings, Dns resolver) {
        this.policy = new AddressPolicy(settings.allowedAddresses(), settings.allowedPorts(), settings.deniedPorts());
        this.resolver = resolver;
    }

    /**
     * The address as an http(s) URL with a numeric host written as dotted decimal, after checking its form
     * (scheme, no credentials, no control characters) but not where it points.
     */
    public static HttpUrl url(String address) throws Refused {
        if (address == null || address.isBlank() || address.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new Refused("it must be an http:// or https:// URL.");
        }
        String lower = address.strip().toLowerCase(Locale.ROOT);
        HttpUrl url = lower.startsWith("http://") || lower.startsWith("https://") ? HttpUrl.parse(address.strip()) : null;
        if (url == null) {
            throw new Refused("it must be an http:// or https:// URL.");
        }
        if (!url.username().isEmpty() || !url.password().isEmpty()) {
            throw new Refused("it must not carry credentials.");
        }
        String host;
        try {
            host = NumericHost.canonical(url.host());
        } catch (IllegalArgumentException e) {
            throw new Refused("its host is not a valid address.");
        }
        return host.equals(url.host()) ? url : url.newBuilder().host(host).build();
    }

    /**
     * Refuses the URL where its port is not allowed, its host is a literal address the policy refuses, or a
     * name none of whose addresses the policy permits. A name that does not resolve now passes: DNS trouble
     * is no reason to refuse, and every request checks again.
     */
    public void check(HttpUrl url) throws Refused {
        permitLiteral(url);
        if (AddressBlock.literal(url.host()) != null) {
            return;
        }
        if (!policy.portAllowed(url.port())) {
            throw new Refused(REFUSED);
        }
        List<InetAddress> addresses;
        try {
            addresses = CheckedDns.resolve(resolver, url.host());
        } catch (UnknownHostException e) {
            return;
        }
        if (addresses.stream().noneMatch(a -> policy.permits(a, url.port()))) {
            throw new Refused(REFUSED);
        }
    }

    /**
     * A client for requests to this URL: built on {@code base} (its timeouts), no proxy, no redirects
     * followed, and a name lookup that gives only addresses the policy permits on the URL's port; a literal
     * address is checked here. A lookup refused by the policy fails the call with an IOException for which
     * {@link #refusedByPolicy} is true.
     */
    public OkHttpClient clientFor(OkHttpClient base, HttpUrl url) throws Refused {
        permitLiteral(url);
        // shares the base's connection pool; CheckedDns is a record, so equal lookups reuse pooled connections
        return base.newBuilder()
                .proxy(Proxy.NO_PROXY)
                .followRedirects(false)
                .followSslRedirects(false)
                .dns(new CheckedDns(resolver, policy, url.port()))
                .build();
    }

    /** Whether a failed request failed because the policy refused every address of its host. */
    public static boolean refusedByPolicy(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CheckedDns.Refused) {
                return true;
            }
            for (Throwable s : t.getSuppressed()) {
                if (s instanceof IOException io && refusedByPolicy(io)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void permitLiteral(HttpUrl url) throws Refused {
        InetAddress literal = AddressBlock.literal(url.host());
        if (literal == null && url.host().matches("([0-9a-fA-F]*:[0-9a-fA-F:.]*)|([\\d.]+)")) {
            throw new Refused("its host is not a valid address.");
        }
        if (literal != null && !policy.permits(literal, url.port())) {
            throw new Refused(REFUSED);
        }
    }
}
