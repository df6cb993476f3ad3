package io.flinkasr.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;

/**
 * The read-only web dashboard, served by the API: static pages under {@code /dashboard/} (HTML, JS and CSS
 * from the jar, Chart.js from its WebJar) and the JSON they read under {@code /dashboard/api/}.
 *
 * <p>Access: a browser signs in by posting an AccessKey pair once; it gets an HttpOnly, SameSite=Strict
 * session cookie, and the secret is never stored in or sent back to the browser. A tenant's key sees that
 * tenant's jobs only, a key with role operator every tenant's. Where the API trusts unsigned requests from
 * this machine (the local stack), a browser on this machine that also names this machine in its Host header
 * sees what the first key sees without signing in; any other Host (a DNS-rebinding page, a proxy on this
 * machine) must sign in. Every read is charged to the key's request budget, like an API request. Nothing
 * here changes a job; the two POSTs (sign in, sign out) take JSON only and refuse another origin, so no
 * other site can make a browser send them.
 */
final class Dashboard {
    static final String COOKIE = "flinkasr_dashboard";
    static final String PATH = "/dashboard";
    /** Rows the jobs table shows at most; the count of all that match comes with them. */
    static final int MAX_ROWS = 500;
    /** No inline script or style, nothing from elsewhere, never in a frame. */
    static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer");

    /** Who is looking: the key, and whether it signed in or is this machine's trusted first key. */
    record Viewer(AccessKey key, String via) {
        Predicate<JobStatus> sees() {
            return key.operator() ? s -> true : s -> s.request.userId == key.userId;
        }
    }

    private final Catalog jobs;
    private final AccessControl access;
    private final DashboardSessions sessions;
    private final String flinkUi;

    Dashboard(Configuration config, Catalog jobs, AccessControl access) {
        this.jobs = jobs;
        this.access = access;
        this.sessions = new DashboardSessions(config.get(AsrOptions.DASHBOARD_SESSION_TIMEOUT));
        this.flinkUi = config.getOptional(AsrOptions.DASHBOARD_FLINK_UI_URL).orElse(null);
    }

    /** The static files: the pages from the jar's {@code /dashboard} folder, and WebJars under /webjars/. */
    static void serveFiles(JavalinConfig javalin) {
        javalin.staticFiles.add(files -> {
            files.hostedPath = PATH;
            files.directory = "/dashboard";
            files.location = Location.CLASSPATH;
            files.headers = Map.of("Cache-Control", "no-cache");
        });
        javalin.staticFiles.enableWebjars();
    }

    void routes(Javalin http) {
        http.before(ctx -> {
            if (ctx.path().startsWith(PATH) || ctx.path().startsWith("/webjars/")) {
                HEADERS.forEach(ctx::header);
            }
            if (ctx.path().equals(PATH)) { // the page's relative links need the slash
                ctx.redirect(PATH + "/");
                ctx.skipRemainingHandlers();
            }
        });
        http.get(PATH + "/api/me", this::me);
        http.post(PATH + "/api/session", this::signIn);
        http.post(PATH + "/api/sign-out", this::signOut);
        http.get(PATH + "/api/jobs", this::jobs);
        http.get(PATH + "/api/jobs/{jobId}", this::job);
        http.get(PATH + "/api/service", this::service);
    }

    /** Whether a request to {@code /} is a browser asking for a page rather than an ICE call. */
    static boolean wantsPage(Context ctx) {
        if (!ctx.method().name().equals("GET") || ctx.queryString() != null || ctx.header("x-acs-action") != null
                || ctx.header("Authorization") != null) {
            return false;
        }
        String accept = ctx.header("Accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
    }

    private void me(Context ctx) throws Exception {
        Viewer viewer = viewer(ctx);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("signedIn", viewer != null);
        body.put("thisMachineTrusted", trustedMachine(ctx));
        if (viewer != null) {
            access.charge(viewer.key());
            body.put("via", viewer.via());
            body.put("userId", String.valueOf(viewer.key().userId));
            body.put("accessKeyId", viewer.key().accessKeyId);
            body.put("role", viewer.key().operator() ? AccessKey.OPERATOR : AccessKey.TENANT);
        }
        json(ctx, body);
    }

    private void signIn(Context ctx) throws Exception {
        sameOriginJson(ctx);
        sessions.attempt(ctx.req().getRemoteAddr());
        JsonNode form;
        try {
            form = Json.MAPPER.readTree(ctx.bodyAsBytes());
        } catch (Exception e) {
            throw new IceException(400, "InvalidParameter", "Send {\"accessKeyId\": ..., \"accessKeySecret\": ...} as JSON.");
        }
        AccessKey key = access.signIn(text(form, "accessKeyId"), text(form, "accessKeySecret"));
        if (key == null) {
            // the same answer whether the id or the secret is wrong: no telling which AccessKeyIds exist
            throw new IceException(401, "InvalidAccessKey", "The AccessKeyId and AccessKeySecret do not match a key of this service.");
        }
        access.charge(key);
        String token = sessions.open(key, Instant.now());
        ctx.header("Set-Cookie", cookie(ctx, token, sessions.lifetime().toSeconds()));
        json(ctx, Json.MAPPER.createObjectNode().put("signedIn", true));
    }

    private void signOut(Context ctx) throws Exception {
        sameOriginJson(ctx);
        sessions.close(ctx.cookie(COOKIE));
        ctx.header("Set-Cookie", cookie(ctx, "", 0));
        json(ctx, Json.MAPPER.createObjectNode().put("signedIn", false));
    }

    private void jobs(Context ctx) throws Exception {
        Viewer viewer = required(ctx);
        jobs.requireCaughtUp();
        String state = ctx.queryParam("state");
        String search = ctx.queryParam("q");
        String needle = search == null ? "" : search.strip().toLowerCase(Locale.ROOT);
        Predicate<JobStatus> filter = viewer.sees()
                .and(s -> state == null || state.isEmpty() || s.state.name().equals(state))
                .and(s -> needle.isEmpty() || s.request.jobId.toLowerCase(Locale.ROOT).contains(needle)
                        || (s.request.title != null && s.request.title.toLowerCase(Locale.ROOT).contains(needle)));
        json(ctx, DashboardViews.jobs(jobs.listSummaries(filter), MAX_ROWS, System.currentTimeMillis()));
    }

    private void job(Context ctx) throws Exception {
        Viewer viewer = required(ctx);
        jobs.requireCaughtUp();
        JobStatus status = jobs.find(ctx.pathParam("jobId"));
        if (status == null || !viewer.sees().test(status)) {
            throw new IceException(404, "InvalidParameter.JobId", "The specified JobId does not exist.");
        }
        json(ctx, DashboardViews.job(status, System.currentTimeMillis()));
    }

    private void service(Context ctx) throws Exception {
        Viewer viewer = required(ctx);
        List<JobStatus> visible = jobs.listAll(viewer.sees());
        json(ctx, DashboardViews.service(visible, System.currentTimeMillis(), viewer.key().operator() ? flinkUi : null));
    }

    /** The viewer, charged one request of its key's budget; NotSignedIn (401) without one. */
    private Viewer required(Context ctx) throws Exception {
        Viewer viewer = viewer(ctx);
        if (viewer == null) {
            throw new IceException(401, "NotSignedIn", "Sign in with an AccessKey pair to see the dashboard.");
        }
        access.charge(viewer.key());
        return viewer;
    }

    private Viewer viewer(Context ctx) throws Exception {
        AccessKey key = sessions.find(ctx.cookie(COOKIE), Instant.now());
        if (key != null) {
            return new Viewer(key, "session");
        }
        if (trustedMachine(ctx)) {
            return new Viewer(access.loopbackKey(), "this machine");
        }
        return null;
    }

    /**
     * Whether the request counts as this machine's own, as unsigned API requests from loopback do: the
     * connection comes from loopback and the Host header names loopback too (so a page from elsewhere that
     * rebinds its name to 127.0.0.1, or a proxy on this machine serving others, does not count).
     */
    private boolean trustedMachine(Context ctx) throws Exception {
        return access.trustsLoopback() && InetAddress.getByName(ctx.req().getRemoteAddr()).isLoopbackAddress()
                && loopbackName(ctx.host());
    }

    static boolean loopbackName(String host) {
        if (host == null) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            int close = name.indexOf(']');
            return close > 0 && name.substring(1, close).equals("::1");
        }
        int colon = name.indexOf(':');
        if (colon >= 0) {
            name = name.substring(0, colon);
        }
        return name.equals("localhost") || name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    /** The POSTs take JSON only (a form of another site cannot send it) and refuse a browser's other origins. */
    private static void sameOriginJson(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new IceException(415, "InvalidParameter.ContentType", "Send application/json.");
        }
        String origin = ctx.header("Origin");
        if (origin != null && !sameHost(origin, ctx.host())) {
            throw new IceException(403, "Forbidden", "The dashboard answers its own pages only.");
        }
    }

    /**
     * Whether a browser's Origin names the host the request was sent to. Only the host names are compared:
     * behind a TLS-terminating proxy the page's scheme and port are not the API's.
     */
    static boolean sameHost(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            String originHost = java.net.URI.create(origin).getHost();
            String requestHost = java.net.URI.create("http://" + host).getHost();
            return originHost != null && originHost.equalsIgnoreCase(requestHost);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String cookie(Context ctx, String value, long maxAgeSeconds) {
        return COOKIE + "=" + value + "; Path=" + PATH + "; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
                + ("https".equals(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto")) ? "; Secure" : "");
    }

    private static String text(JsonNode form, String field) {
        JsonNode value = form == null ? null : form.get(field);
        return value == null || !value.isTextual() ? null : value.asText().strip();
    }

    private static void json(Context ctx, ObjectNode body) {
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/json;charset=utf-8");
        ctx.result(body.toString().getBytes(StandardCharsets.UTF_8));
    }
}
