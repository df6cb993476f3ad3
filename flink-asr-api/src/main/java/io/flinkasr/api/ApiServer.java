package io.flinkasr.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.output.SubtitleLayout;
import io.flinkasr.output.TranscriptFormat;
import io.flinkasr.records.Json;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.MediaAsset;
import io.javalin.Javalin;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.javalin.http.Context;
import io.flinkasr.media.remote.OutboundAddresses;
import io.flinkasr.media.remote.RemoteMediaSettings;
import io.flinkasr.records.Callback;
import io.micrometer.core.instrument.MeterRegistry;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.IllegalConfigurationException;
import io.javalin.util.JavalinBindException;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API, in the RPC style of Alibaba Cloud's OpenAPI: {@code Action} and its parameters come as
 * query parameters or as a form-encoded POST body, answers are JSON, errors are ICE's
 * {@code {RequestId, HostId, Code, Message, Recommend}}.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final String HOST_ID = "flink-asr";
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** Answers shorter than this are never compressed (Javalin's own threshold). */
    private static final int COMPRESSED_FROM_BYTES = 1500;
    private static final java.util.Set<String> KNOWN_ACTIONS = java.util.Set.of(
            "SubmitASRJob", "GetSmartHandleJob", "ListSmartJobs", "RegisterMediaInfo", "GetMediaInfo");

    private final Catalog jobs;
    private final OutboundAddresses notifyAddresses;
    private final AccessControl access;
    private final PipelineHealth pipeline;
    private final Dashboard dashboard;
    private final String metricsToken;
    private final Javalin http;
    private final ClientLimits clients;
    private final RequestSlots slots;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The requests counter of each action and answer code, looked up once (codes are a short, fixed list). */
    private final Map<String, io.micrometer.core.instrument.Counter> requests = new java.util.concurrent.ConcurrentHashMap<>();
    private final long idleMillis;
    private final java.util.Optional<Integer> tlsPort;
    private volatile String host = "0.0.0.0";
    private volatile int port;

    public ApiServer(Configuration config, Catalog jobs, AccessKeys keys) {
        this(config, jobs, keys, PipelineHealth.NOT_WATCHED);
    }

    /**
     * @param pipeline the Flink job's state, for {@code /health}
     */
    public ApiServer(Configuration config, Catalog jobs, AccessKeys keys, PipelineHealth pipeline) {
        this.jobs = jobs;
        this.pipeline = pipeline;
        this.notifyAddresses = new OutboundAddresses(RemoteMediaSettings.from(config));
        this.access = new AccessControl(keys, config.get(AsrOptions.SIGNATURE_WINDOW), config.get(AsrOptions.UNSIGNED_FROM_LOOPBACK),
                new RateLimits(config.get(AsrOptions.RATE_LIMIT), config.get(AsrOptions.RATE_BURST)), config.get(AsrOptions.NONCE_CAPACITY));
        this.metricsToken = config.getOptional(AsrOptions.METRICS_TOKEN_FILE).map(ApiServer::readToken).orElse(null);
        Duration readTimeout = config.get(AsrOptions.API_READ_TIMEOUT);
        long minDataRate = config.get(AsrOptions.API_MIN_DATA_RATE).getBytes();
        this.clients = new ClientLimits(config.get(AsrOptions.API_MAX_CONNECTIONS_PER_ADDRESS), readTimeout, minDataRate,
                Duration.ofMillis(Math.max(100, Math.min(1000, readTimeout.toMillis() / 4))));
        this.idleMillis = config.get(AsrOptions.API_IDLE_TIMEOUT).toMillis();
        this.slots = new RequestSlots(config.getOptional(AsrOptions.API_CONCURRENT_REQUESTS).orElseGet(RequestSlots::byDefault), readTimeout);
        this.tlsPort = config.getOptional(AsrOptions.TLS_KEYSTORE).map(keystore -> config.get(AsrOptions.TLS_PORT));
        this.dashboard = config.get(AsrOptions.DASHBOARD_ENABLED) ? new Dashboard(config, jobs, access) : null;
        int maxConnections = config.get(AsrOptions.API_MAX_CONNECTIONS);
        this.http = Javalin.create(javalin -> {
            javalin.showJavalinBanner = false;
            javalin.http.maxRequestSize = MAX_BODY_BYTES;
            javalin.useVirtualThreads = false;
            if (dashboard != null) {
                Dashboard.serveFiles(javalin);
            }
            javalin.jetty.modifyHttpConfiguration(httpConfig -> {
                httpConfig.setSendServerVersion(false);
                httpConfig.setRequestHeaderSize(16 * 1024);
            });
            javalin.jetty.modifyServer(server -> {
                server.setErrorHandler(new IceErrorHandler());
                server.addBean(new ConnectionLimit(maxConnections, server));
            });
            javalin.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new IceErrorHandler()));
            javalin.jetty.addConnector((server, httpConfig) -> guarded(
                    new ServerConnector(server, new HttpConnectionFactory(httpConfig)), host, port, idleMillis));
            config.getOptional(AsrOptions.TLS_KEYSTORE).ifPresent(keystore ->
                    javalin.jetty.addConnector((server, httpConfig) -> guarded(Tls.connector(server, httpConfig, keystore,
                            config.get(AsrOptions.TLS_KEYSTORE_PASSWORD), config.get(AsrOptions.API_HOST),
                            config.get(AsrOptions.TLS_PORT)), null, -1, idleMillis)));
        });
        // the media fetcher marks its requests: a URL that points at the API must not make it a client
        http.before(ctx -> {
            if (ctx.header(OutboundAddresses.FETCHER_HEADER) != null) {
                throw new IceException(403, "Forbidden", "Requests from flink-asr's own media fetcher are refused.");
            }
        });
        if (dashboard != null) {
            dashboard.routes(http);
        }
        http.get("/", this::handle);
        http.post("/", this::handle);
        http.get("/health", this::health);
        // Prometheus: requests by action and answer code, jobs by state, the JVM
        for (JobState state : JobState.values()) {
            Gauge.builder("flinkasr.jobs", jobs, c -> c.count(state)).tag("state", state.name())
                    .description("Jobs the API knows, by state").register(metrics);
        }
        Gauge.builder("flinkasr.jobs.without.progress", jobs, c -> c.longestWithoutProgress(System.currentTimeMillis()) / 1000.0)
                .baseUnit("seconds")
                .description("How long the Created or Executing job longest without progress has waited (0: none waits)")
                .register(metrics);
        FunctionCounter.builder("flinkasr.api.store.records.read", jobs, Catalog::recordsRead)
                .description("Records the job table read from the topics since start (a restart reads only new ones)")
                .register(metrics);
        Gauge.builder("flinkasr.api.store.records.behind", jobs, Catalog::behind)
                .description("Offsets the job table has still to read before it answers (0: caught up, serving)")
                .register(metrics);
        FunctionCounter.builder("flinkasr.api.connections.refused", clients, ClientLimits::refused)
                .description("Connections closed because their client address held too many").register(metrics);
        FunctionCounter.builder("flinkasr.api.requests.cut.off", clients, ClientLimits::cutOff)
                .description("Requests whose headers or body took longer than asr.api.read-timeout").register(metrics);
        Gauge.builder("flinkasr.api.requests.waiting", slots, RequestSlots::waiting)
                .description("Requests waiting for one of the asr.api.concurrent-requests slots").register(metrics);
        Gauge.builder("flinkasr.api.nonces.remembered", access, AccessControl::noncesRemembered)
                .description("Signature nonces remembered for all keys (asr.api.nonce-capacity is the most)").register(metrics);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmGcMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        http.get("/metrics", this::metrics);
        http.after("/", ctx -> {
            String action = ctx.attribute("action");
            String code = ctx.attribute("iceError");
            requests.computeIfAbsent((action != null ? action : "none") + ' ' + (code != null ? code : "OK"),
                    key -> metrics.counter("flinkasr.api.requests", "action", key.substring(0, key.indexOf(' ')),
                            "code", key.substring(key.indexOf(' ') + 1))).increment();
        });
        http.exception(IceException.class, (e, ctx) -> error(ctx, e));
        // Javalin's own refusals (a body over maxRequestSize: 413) in ICE's shape
        http.exception(HttpResponseException.class, (e, ctx) -> error(ctx, IceErrorHandler.forStatus(e.getStatus())));
        http.exception(Exception.class, (e, ctx) -> {
            LOG.error("Request failed", e);
            error(ctx, new IceException(500, "InternalError", "The request processing has failed due to some unknown error."));
        });
        // paths and methods the API does not have; errors the handlers already answered keep their body
        for (int status : new int[] {404, 405}) {
            http.error(status, ctx -> {
                if (ctx.attribute("iceError") == null) {
                    error(ctx, new IceException(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."));
                }
            });
        }
    }

    /** A connector with the API's guards: connections per address, read deadlines, the idle timeout. */
    private Connector guarded(ServerConnector connector, String bindHost, int bindPort, long idleMillis) {
        if (bindHost != null) {
            connector.setHost(bindHost);
            connector.setPort(bindPort);
        }
        connector.setIdleTimeout(idleMillis);
        connector.addBean(clients);
        return connector;
    }

    private static String readToken(String file) {
        try {
            String token = Files.readString(Path.of(file)).strip();
            if (token.length() < 16) {
                throw new IllegalConfigurationException("Invalid " + AsrOptions.METRICS_TOKEN_FILE.key() + ": the token in "
                        + file + " is shorter than 16 characters");
            }
            return token;
        } catch (IOException e) {
            throw new IllegalConfigurationException("Invalid " + AsrOptions.METRICS_TOKEN_FILE.key() + ": cannot read " + file);
        }
    }

    /** Starts listening; a port another process holds is a {@link PortInUseException}, not Javalin's stack trace. */
    public ApiServer start(String host, int port) {
        this.host = host;
        this.port = port;
        try {
            http.start();
        } catch (JavalinBindException e) {
            http.stop();
            PortInUseException.requireFree(host, port, false);
            tlsPort.ifPresent(tls -> PortInUseException.requireFree(host, tls, true));
            throw new PortInUseException(host, port, false);
        }
        return this;
    }

    /** The registry behind /metrics, for components that run beside the API (completion callbacks). */
    public MeterRegistry meters() {
        return metrics;
    }

    public int port() {
        return http.port();
    }

    /**
     * UP (200) while the job table has read the topics and follows them and the pipeline runs; DOWN (503)
     * otherwise, saying which: the job table is CATCHING_UP (with the records to go) while a new or restarted
     * replica reads what was written before it started.
     */
    private void health(Context ctx) {
        String pipelineState = pipeline.pipelineState();
        boolean reading = jobs.reading();
        boolean caughtUp = jobs.caughtUp();
        boolean up = reading && caughtUp && (pipeline == PipelineHealth.NOT_WATCHED || PipelineHealth.RUNNING.equals(pipelineState));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("pipeline", pipelineState);
        body.put("jobTable", !reading ? "DOWN" : caughtUp ? "UP" : "CATCHING_UP");
        if (reading && !caughtUp) {
            body.put("recordsToRead", jobs.behind());
        }
        ctx.status(up ? 200 : 503).json(body);
    }

    /** Prometheus text, for this machine or a bearer of the metrics token only. */
    private void metrics(Context ctx) throws Exception {
        boolean local = InetAddress.getByName(ctx.req().getRemoteAddr()).isLoopbackAddress();
        String authorization = ctx.header("Authorization");
        boolean bearer = metricsToken != null && authorization != null
                && Signatures.same("Bearer " + metricsToken, authorization.strip());
        if (!local && !bearer) {
            throw new IceException(403, "Forbidden", metricsToken == null
                    ? "Metrics are served to this machine only (see asr.api.metrics-token-file)."
                    : "Metrics need the bearer token of asr.api.metrics-token-file.");
        }
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    private void handle(Context ctx) throws Exception {
        String requestId = UUID.randomUUID().toString().toUpperCase();
        ctx.attribute("requestId", requestId);
        if (dashboard != null && Dashboard.wantsPage(ctx)) {
            // a browser at the root: the dashboard (an ICE call always names its Action)
            ctx.attribute("action", "dashboard");
            ctx.redirect("dashboard/");
            return;
        }
        byte[] payload = body(ctx);
        byte[] answer;
        boolean gzipped;
        slots.enter();
        try {
            List<GzipAnswer.Part> parts = work(ctx, requestId, payload);
            gzipped = GzipAnswer.length(parts) >= COMPRESSED_FROM_BYTES && takesGzip(ctx);
            answer = gzipped ? GzipAnswer.of(parts) : GzipAnswer.plain(parts); // gzip at the fastest level, in the slot
        } finally {
            slots.leave();
        }
        answer(ctx, answer, gzipped);
    }

    /** The request's work, in a slot: its parameters, its signature, the action and the answer's parts. */
    private List<GzipAnswer.Part> work(Context ctx, String requestId, byte[] payload) throws Exception {
        Escapes.check(ctx.queryString(), "query");
        Map<String, String> query = first(ctx.queryParamMap());
        Map<String, String> form = Map.of();
        String contentType = ctx.contentType();
        if (contentType != null && contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
            Escapes.check(payload, "body");
            form = first(ctx.formParamMap());
        }
        Map<String, String> headers = new HashMap<>();
        ctx.headerMap().forEach((k, v) -> headers.put(k.toLowerCase(), v));
        boolean loopback = InetAddress.getByName(ctx.req().getRemoteAddr()).isLoopbackAddress();

        Map<String, String> params = new HashMap<>(query);
        form.forEach(params::putIfAbsent);
        String action = params.getOrDefault("Action", headers.get("x-acs-action"));
        if (action == null || action.isEmpty()) {
            throw IceException.missing("Action");
        }
        ctx.attribute("action", KNOWN_ACTIONS.contains(action) ? action : "other");
        AccessKey caller = access.authenticate(
                new AccessControl.Request(ctx.method().name(), ctx.path(), query, form, headers, payload, loopback), Instant.now());
        jobs.requireCaughtUp();
        if (action.equals("GetSmartHandleJob")) {
            return get(requestId, caller, params);
        }
        ObjectNode body = switch (action) {
            case "SubmitASRJob" -> submit(requestId, caller, params);
            case "ListSmartJobs" -> list(requestId, caller, params);
            case "RegisterMediaInfo" -> MediaAssets.register(requestId, caller, params, jobs);
            case "GetMediaInfo" -> MediaAssets.get(requestId, caller, params, jobs);
            default -> throw new IceException(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
        };
        return List.of(GzipAnswer.Part.plain(Json.MAPPER.writeValueAsBytes(body)));
    }

    /**
     * Writes an answer, gzip'd or not, at once, with its length: one write of the bytes, where Javalin would
     * copy them 8 KB at a time into a chunked stream (and compress them there, at its default level).
     */
    private static void answer(Context ctx, byte[] answer, boolean gzipped) throws IOException {
        ctx.contentType("application/json;charset=utf-8");
        if (gzipped) {
            ctx.header("Content-Encoding", "gzip");
            ctx.header("Vary", "Accept-Encoding");
        }
        ctx.res().setContentLength(answer.length);
        ctx.res().getOutputStream().write(answer);
    }

    private static boolean takesGzip(Context ctx) {
        String encodings = ctx.header("Accept-Encoding");
        return encodings != null && encodings.toLowerCase(java.util.Locale.ROOT).contains("gzip");
    }

    /** The request body; a body that does not arrive in time (or is shorter than announced) is RequestTimeout. */
    private byte[] body(Context ctx) throws Exception {
        HttpConnection reading = HttpConnection.getCurrentConnection();
        clients.bodyReadStarts(reading);
        try {
            return ctx.bodyAsBytes();
        } catch (HttpResponseException e) {
            throw e;
        } catch (Exception e) { // Javalin is Kotlin: a failed read arrives as the (checked) IOException itself
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof IOException || cause instanceof TimeoutException || cause instanceof BadMessageException) {
                    HttpConnection connection = HttpConnection.getCurrentConnection();
                    if (connection != null) {
                        connection.getEndPoint().setIdleTimeout(idleMillis); // ClientLimits shortened it to end the read
                    }
                    throw IceErrorHandler.requestTimeout();
                }
            }
            throw e;
        } finally {
            clients.bodyReadEnds(reading);
        }
    }

    private static Map<String, String> first(Map<String, List<String>> values) {
        Map<String, String> first = new HashMap<>();
        values.forEach((k, v) -> first.put(k, v.isEmpty() ? "" : v.get(0)));
        return first;
    }

    private ObjectNode submit(String requestId, AccessKey caller, Map<String, String> params) {
        String jobId = UUID.randomUUID().toString().replace("-", "");
        JobRequest request = SubmitParameters.parse(params, caller.userId, jobId, Instant.now());
        request.accessKeyId = caller.accessKeyId; // signs the job's completion callback
        NotifyAddresses.check(request.userData, notifyAddresses);
        MediaAsset asset = jobs.asset(request.inputFile, caller.userId);
        if (asset != null) {
            request.mediaUrl = asset.inputUrl; // InputFile names a registered media asset
        }
        jobs.submit(request);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("RequestId", requestId);
        body.put("JobId", jobId);
        body.put("State", JobState.Created.name());
        return body;
    }

    private List<GzipAnswer.Part> get(String requestId, AccessKey caller, Map<String, String> params) throws IOException {
        String jobId = params.get("JobId");
        if (jobId == null || jobId.isEmpty()) {
            throw IceException.missing("JobId");
        }
        TranscriptFormat format = null;
        String formatName = params.get("OutputFormat");
        if (formatName != null && !formatName.isEmpty()) {
            try {
                format = TranscriptFormat.valueOf(formatName.strip().toLowerCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw IceException.invalid("OutputFormat", "use text, json, srt or vtt.");
            }
        }
        SubtitleLayout layout = layoutOf(params);
        boolean wordTimestamps = flagOf(params, "WordTimestamps");
        Catalog.JobView view = format == null ? jobs.view(jobId, caller.userId) : null;
        if (view != null && view.frame() != null) { // the answer as rendered when the state was stored
            Callback callback = jobs.callback(jobId, caller.userId);
            byte[] shown = callback == null ? null : Json.MAPPER.writeValueAsBytes(NotifyAddresses.shown(callback));
            return JobAnswer.parts(requestId, view.frame(), view.result(), shown);
        }
        JobStatus status = view != null ? view.status() : format != null ? jobs.get(jobId, caller.userId) : null;
        if (status == null) {
            throw new IceException(404, "InvalidParameter.JobId", "The specified JobId does not exist.");
        }
        ObjectNode body = IceResponses.job(requestId, status, view == null ? null : view.result());
        Callback callback = jobs.callback(jobId, caller.userId);
        if (callback != null) {
            body.set("Callback", NotifyAddresses.shown(callback));
        }
        if (format != null && status.state == JobState.Finished) {
            body.put("FormattedOutput", format == TranscriptFormat.json && !wordTimestamps
                    ? body.path("JobResult").path("AiResult").asText()
                    : format.render(status.segments, layout, wordTimestamps));
        }
        return List.of(GzipAnswer.Part.plain(Json.MAPPER.writeValueAsBytes(body)));
    }

    /** MaxLineWidth, MaxLineCount, MaxCueSeconds for srt and vtt; the default layout where not given. */
    private static SubtitleLayout layoutOf(Map<String, String> params) {
        SubtitleLayout layout = SubtitleLayout.DEFAULT;
        layout = layoutWith(layout, params, "MaxLineWidth", (l, v) -> l.withLineWidth(Integer.parseInt(v)));
        layout = layoutWith(layout, params, "MaxLineCount", (l, v) -> l.withLines(Integer.parseInt(v)));
        return layoutWith(layout, params, "MaxCueSeconds", (l, v) -> l.withSeconds(Double.parseDouble(v)));
    }

    private static SubtitleLayout layoutWith(SubtitleLayout layout, Map<String, String> params, String name,
            BiFunction<SubtitleLayout, String, SubtitleLayout> change) {
        String value = params.get(name);
        if (value == null || value.isBlank()) {
            return layout;
        }
        try {
            return change.apply(layout, value.strip());
        } catch (NumberFormatException e) {
            throw IceException.invalid(name, "not a number.");
        } catch (IllegalArgumentException e) {
            throw IceException.invalid(name, e.getMessage() + ".");
        }
    }

    private static boolean flagOf(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isBlank() || value.strip().equalsIgnoreCase("false")) {
            return false;
        }
        if (value.strip().equalsIgnoreCase("true")) {
            return true;
        }
        throw IceException.invalid(name, "use true or false.");
    }

    private ObjectNode list(String requestId, AccessKey caller, Map<String, String> params) {
        return JobListing.answer(requestId, params, jobs.pagesOf(caller.userId));
    }

    private static void error(Context ctx, IceException e) {
        ctx.attribute("iceError", e.code());
        ctx.status(e.status());
        ctx.contentType("application/json;charset=utf-8");
        ctx.result(IceErrorHandler.body(e, ctx.attribute("requestId")));
    }

    @Override
    public void close() {
        http.stop();
    }
}
