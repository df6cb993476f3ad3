package io.flinkasr.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.output.TranscriptFormat;
import io.flinkasr.records.Json;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.MediaAsset;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
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
    private static final java.util.Set<String> KNOWN_ACTIONS = java.util.Set.of(
            "SubmitASRJob", "GetSmartHandleJob", "ListSmartJobs", "RegisterMediaInfo", "GetMediaInfo");

    private final Catalog jobs;
    private final AccessControl access;
    private final RateLimits rates;
    private final Javalin http;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public ApiServer(Configuration config, Catalog jobs, AccessKeys keys) {
        this.jobs = jobs;
        this.access = new AccessControl(keys, config.get(AsrOptions.SIGNATURE_WINDOW), config.get(AsrOptions.UNSIGNED_FROM_LOOPBACK));
        this.rates = new RateLimits(config.get(AsrOptions.RATE_LIMIT), config.get(AsrOptions.RATE_BURST));
        this.http = Javalin.create(javalin -> {
            javalin.showJavalinBanner = false;
            javalin.http.maxRequestSize = 64 * 1024;
            javalin.useVirtualThreads = false;
            config.getOptional(AsrOptions.TLS_KEYSTORE).ifPresent(keystore ->
                    javalin.jetty.addConnector((server, httpConfig) -> Tls.connector(server, httpConfig, keystore,
                            config.get(AsrOptions.TLS_KEYSTORE_PASSWORD), config.get(AsrOptions.API_HOST),
                            config.get(AsrOptions.TLS_PORT))));
        });
        http.get("/", this::handle);
        http.post("/", this::handle);
        http.get("/health", ctx -> ctx.json(Map.of("status", "UP")));
        // Prometheus: requests by action and answer code, jobs by state, the JVM
        for (JobState state : JobState.values()) {
            Gauge.builder("flinkasr.jobs", jobs, c -> c.count(state)).tag("state", state.name())
                    .description("Jobs the API knows, by state").register(metrics);
        }
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmGcMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        http.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        http.after("/", ctx -> {
            String action = ctx.attribute("action");
            String code = ctx.attribute("iceError");
            metrics.counter("flinkasr.api.requests", "action", action != null ? action : "none",
                    "code", code != null ? code : "OK").increment();
        });
        http.exception(IceException.class, (e, ctx) -> error(ctx, e));
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

    public ApiServer start(String host, int port) {
        http.start(host, port);
        return this;
    }

    public int port() {
        return http.port();
    }

    private void handle(Context ctx) throws Exception {
        String requestId = UUID.randomUUID().toString().toUpperCase();
        ctx.attribute("requestId", requestId);
        byte[] payload = ctx.bodyAsBytes();
        Map<String, String> query = first(ctx.queryParamMap());
        Map<String, String> form = Map.of();
        String contentType = ctx.contentType();
        if (contentType != null && contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
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
        rates.acquire(caller);
        ObjectNode body = switch (action) {
            case "SubmitASRJob" -> submit(requestId, caller, params);
            case "GetSmartHandleJob" -> get(requestId, caller, params);
            case "ListSmartJobs" -> list(requestId, caller, params);
            case "RegisterMediaInfo" -> MediaAssets.register(requestId, caller, params, jobs);
            case "GetMediaInfo" -> MediaAssets.get(requestId, caller, params, jobs);
            default -> throw new IceException(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
        };
        ctx.contentType("application/json;charset=utf-8");
        ctx.result(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> first(Map<String, List<String>> values) {
        Map<String, String> first = new HashMap<>();
        values.forEach((k, v) -> first.put(k, v.isEmpty() ? "" : v.get(0)));
        return first;
    }

    private ObjectNode submit(String requestId, AccessKey caller, Map<String, String> params) {
        String jobId = UUID.randomUUID().toString().replace("-", "");
        JobRequest request = SubmitParameters.parse(params, caller.userId, jobId, Instant.now());
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

    private ObjectNode get(String requestId, AccessKey caller, Map<String, String> params) {
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
        JobStatus status = jobs.get(jobId, caller.userId);
        if (status == null) {
            throw new IceException(404, "InvalidParameter.JobId", "The specified JobId does not exist.");
        }
        ObjectNode body = IceResponses.job(requestId, status);
        if (format != null && status.state == JobState.Finished) {
            body.put("FormattedOutput", format == TranscriptFormat.json
                    ? body.path("JobResult").path("AiResult").asText()
                    : format.render(status.segments));
        }
        return body;
    }

    private ObjectNode list(String requestId, AccessKey caller, Map<String, String> params) {
        String type = params.get("JobType");
        String state = params.get("JobState");
        Predicate<JobStatus> filter = s -> (type == null || type.isEmpty() || type.equals("ASR"))
                && (state == null || state.isEmpty() || state.equals(s.state.name()));
        List<JobStatus> all = jobs.list(caller.userId, filter);
        String sortBy = params.getOrDefault("SortBy", "desc");
        if (sortBy.equalsIgnoreCase("asc")) {
            all = new java.util.ArrayList<>(all);
            java.util.Collections.reverse(all);
        } else if (!sortBy.isEmpty() && !sortBy.equalsIgnoreCase("desc")) {
            throw IceException.invalid("SortBy", "use desc (newest first) or asc.");
        }
        int pageSize = intParam(params, params.containsKey("PageSize") ? "PageSize" : "MaxResults", 10, 1, 100);
        int from;
        if (params.containsKey("NextToken") && !params.get("NextToken").isEmpty()) {
            from = intParam(params, "NextToken", 0, 0, Integer.MAX_VALUE);
        } else {
            from = (intParam(params, "PageNo", 1, 1, 1_000_000) - 1) * pageSize;
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("RequestId", requestId);
        ArrayNode list = body.putArray("SmartJobList");
        for (int i = from; i < Math.min(all.size(), from + pageSize); i++) {
            list.add(IceResponses.listEntry(all.get(i)));
        }
        if (from + pageSize < all.size()) {
            body.put("NextToken", String.valueOf(from + pageSize));
        }
        body.put("MaxResults", pageSize);
        body.put("TotalCount", all.size());
        return body;
    }

    private static int intParam(Map<String, String> params, String name, int dflt, int min, int max) {
        String value = params.get(name);
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) {
                throw IceException.invalid(name, "it must be between " + min + " and " + max + ".");
            }
            return n;
        } catch (NumberFormatException e) {
            throw IceException.invalid(name, "it must be a number.");
        }
    }

    private static void error(Context ctx, IceException e) {
        ctx.attribute("iceError", e.code());
        String requestId = ctx.attribute("requestId");
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("RequestId", requestId != null ? requestId : UUID.randomUUID().toString().toUpperCase());
        body.put("HostId", HOST_ID);
        body.put("Code", e.code());
        body.put("Message", e.getMessage());
        body.put("Recommend", "");
        ctx.status(e.status());
        ctx.contentType("application/json;charset=utf-8");
        ctx.result(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        http.stop();
    }
}
