package io.flinkasr.local;

import io.flinkasr.api.AccessKey;
import io.flinkasr.api.AccessKeys;
import io.flinkasr.api.ApiServer;
import io.flinkasr.api.Catalog;
import io.flinkasr.api.PortInUseException;
import io.flinkasr.callbacks.Callbacks;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.workflow.AsrPipeline;
import io.flinkasr.workflow.JobTopics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.WebOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole service in one JVM: an embedded Kafka broker, the Flink job on a MiniCluster (with its web
 * UI), the HTTP API and the completion callbacks. Everything it keeps lives under the data folder: Kafka's log (so every job and
 * its states), Flink's checkpoints (a restart resumes the running jobs from the latest one) and the
 * access-key file when none is given.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static final String REPORTERS = "metrics.reporter.";

    /** How long the API's job table may take to read the job topics before the stack gives up starting. */
    static final Duration CATCH_UP_STALL = Duration.ofMinutes(2);

    private final DataFolderLock lock;
    private final EmbeddedKafka kafka;
    private final JobClient flinkJob;
    private final Catalog jobs;
    private final ApiServer api;
    private final Callbacks callbacks;
    private final String webUi;
    private final String flinkMetrics;
    private final Path usersFile;
    private final AccessKeys keys;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private final String apiHostForUrl;

    private LocalStack(DataFolderLock lock, EmbeddedKafka kafka, JobClient flinkJob, String webUi, String flinkMetrics, Catalog jobs,
            ApiServer api, Callbacks callbacks, String apiHost, Path usersFile, AccessKeys keys) {
        this.callbacks = callbacks;
        InetAddress bound = addressOf(apiHost);
        this.apiHostForUrl = bound == null || bound.isAnyLocalAddress() || bound.isLoopbackAddress() ? LOOPBACK
                : bound instanceof java.net.Inet6Address ? "[" + bound.getHostAddress() + "]" : bound.getHostAddress();
        this.keys = keys;
        this.lock = lock;
        this.kafka = kafka;
        this.flinkJob = flinkJob;
        this.webUi = webUi;
        this.flinkMetrics = flinkMetrics;
        this.jobs = jobs;
        this.api = api;
        this.usersFile = usersFile;
    }

    /**
     * Starts the stack.
     *
     * @param config flink-asr's options plus any Flink option for the MiniCluster
     * @param dataDir where everything is kept
     * @param apiPort the API's port (0 = any free one)
     * @param usersFile the access-key file, or null to use (or create) {@code dataDir/users.json}
     */
    public static LocalStack start(Configuration config, Path dataDir, int apiPort, Path usersFile) throws Exception {
        return start(config, dataDir, apiPort, usersFile, () -> {});
    }

    /**
     * Starts the stack as {@link #start(Configuration, Path, int, Path)} does, calling {@code starting} once
     * the data folder is locked and the API's port found free, just before Kafka and Flink start.
     */
    public static LocalStack start(Configuration config, Path dataDir, int apiPort, Path usersFile, Runnable starting)
            throws Exception {
        DataFolderLock lock = DataFolderLock.acquire(dataDir); // before Kafka opens its log there
        String apiHost = config.getOptional(AsrOptions.API_HOST).orElse(LOOPBACK);
        EmbeddedKafka kafka = null;
        JobClient job = null;
        Catalog jobs = null;
        try {
            PortInUseException.requireFree(apiHost, apiPort, false); // before anything starts, not after
            if (config.contains(AsrOptions.TLS_KEYSTORE)) {
                PortInUseException.requireFree(apiHost, config.get(AsrOptions.TLS_PORT), true);
            }
            starting.run();
            kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), 0);
            if (apiPort == 0) {
                apiPort = freePort(apiHost); // known before the job starts, so the media fetcher can be kept off it
            }
            Configuration jobConfig = new Configuration(config);
            jobConfig.set(AsrOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            JobTopics.ensureExist(jobConfig);
            if (!jobConfig.contains(AsrOptions.ATTEMPTS_DIR)) {
                jobConfig.set(AsrOptions.ATTEMPTS_DIR, dataDir.resolve("flink").resolve("chunk-attempts").toUri().toString());
            }

            AccessKeys keys;
            if (usersFile == null) {
                usersFile = dataDir.resolve("users.json");
                keys = Files.exists(usersFile) ? AccessKeys.load(usersFile) : AccessKeys.create(usersFile);
            } else {
                keys = AccessKeys.load(usersFile);
            }

            boolean restPortChosen = !config.contains(RestOptions.BIND_PORT);
            Configuration flink = null;
            String flinkMetrics = null;
            for (int attempt = 1; job == null; attempt++) {
                flink = miniClusterConfig(jobConfig, dataDir);
                // the media fetcher never reaches the stack's own listeners, even where loopback is allow-listed
                List<Integer> ownPorts = new ArrayList<>(config.get(AsrOptions.HTTP_DENIED_PORTS));
                ownPorts.addAll(kafka.ports());
                ownPorts.add(apiPort);
                ownPorts.add(Integer.parseInt(flink.get(RestOptions.BIND_PORT).split("-")[0]));
                flinkMetrics = flinkMetricsUrl(flink);
                if (flinkMetrics != null) {
                    ownPorts.add(URI.create(flinkMetrics).getPort());
                }
                if (jobConfig.contains(AsrOptions.TLS_KEYSTORE)) {
                    ownPorts.add(jobConfig.get(AsrOptions.TLS_PORT));
                }
                Configuration pipelineConfig = new Configuration(jobConfig);
                pipelineConfig.set(AsrOptions.HTTP_DENIED_PORTS, ownPorts);
                if (!pipelineConfig.contains(AsrOptions.CHECKPOINT_TRIGGER_URL)) {
                    // a finished job's state is committed by a checkpoint asked for at once, not the next periodic one
                    pipelineConfig.set(AsrOptions.CHECKPOINT_TRIGGER_URL, "http://127.0.0.1:" + flink.get(RestOptions.BIND_PORT).split("-")[0]);
                }
                flink.set(AsrOptions.HTTP_DENIED_PORTS, ownPorts);
                StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
                AsrPipeline.defineWithKafka(env, pipelineConfig);
                try {
                    job = env.executeAsync("flink-asr");
                    jobConfig = pipelineConfig;
                } catch (Exception e) {
                    // the web UI's port was free when chosen, but another process can take it before Flink binds it
                    if (!restPortChosen || attempt == 3
                            || ExceptionUtils.findThrowable(e, java.net.BindException.class).isEmpty()) {
                        throw e;
                    }
                    LOG.info("The Flink web UI's port was taken meanwhile; choosing another");
                }
            }
            String webUi = "http://127.0.0.1:" + flink.get(RestOptions.BIND_PORT).split("-")[0];

            if (!jobConfig.contains(AsrOptions.API_STORE_DIR)) {
                jobConfig.set(AsrOptions.API_STORE_DIR, dataDir.resolve("api-store").toString()); // beside the topics it mirrors
            }
            jobs = new Catalog(jobConfig);
            if (!jobs.awaitCaughtUp(CATCH_UP_STALL, Duration.ofSeconds(10),
                    behind -> LOG.info("The job table is reading the job topics: {} records to go", behind))) {
                // an API that has not read every job would answer "does not exist" for jobs that do
                throw new IllegalStateException("the job table " + (jobs.reading() ? "read nothing from the job topics of "
                        + dataDir.resolve("kafka") + " for " + CATCH_UP_STALL.toMinutes() + " minutes"
                        : "stopped reading the job topics on an error (see the log)") + " before it had read them all");
            }
            Configuration apiConfig = new Configuration(jobConfig);
            if (!config.contains(AsrOptions.UNSIGNED_FROM_LOOPBACK)) {
                apiConfig.set(AsrOptions.UNSIGNED_FROM_LOOPBACK, true);
            }
            if (!config.contains(AsrOptions.DASHBOARD_FLINK_UI_URL)) {
                apiConfig.set(AsrOptions.DASHBOARD_FLINK_UI_URL, webUi);
            }
            JobClient running = job;
            ApiServer api = new ApiServer(apiConfig, jobs, keys, () -> stateOf(running)).start(apiHost, apiPort);
            Callbacks callbacks = null;
            if (jobConfig.get(AsrOptions.CALLBACKS_ENABLED)) {
                try {
                    callbacks = Callbacks.start(jobConfig, keys, api.meters());
                } catch (Exception | Error e) {
                    api.close();
                    throw e;
                }
            }
            return new LocalStack(lock, kafka, job, webUi, flinkMetrics, jobs, api, callbacks, apiHost, usersFile, keys);
        } catch (Exception | Error e) {
            if (jobs != null) {
                jobs.close();
            }
            if (job != null) {
                try {
                    job.cancel().get(30, TimeUnit.SECONDS);
                } catch (Exception stopping) {
                    e.addSuppressed(stopping);
                }
            }
            if (kafka != null) {
                kafka.close();
            }
            lock.close();
            throw e;
        }
    }

    /** The Flink job's state, for /health: once it has ended, the MiniCluster forgets it, so its result tells. */
    private static String stateOf(JobClient job) {
        try {
            return job.getJobStatus().get(2, TimeUnit.SECONDS).name();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "UNKNOWN";
        } catch (Exception e) {
            var result = job.getJobExecutionResult();
            if (!result.isDone()) {
                return "UNKNOWN";
            }
            if (!result.isCompletedExceptionally()) {
                return "FINISHED";
            }
            try {
                result.join();
                return "FINISHED";
            } catch (RuntimeException failed) {
                return ExceptionUtils.findThrowable(failed, JobCancellationException.class).isPresent() ? "CANCELED" : "FAILED";
            }
        }
    }

    static Configuration miniClusterConfig(Configuration jobConfig, Path dataDir) throws IOException {
        Configuration flink = new Configuration(jobConfig);
        // every listener on loopback unless told otherwise, and no jar upload: Flink's REST endpoint has
        // no authentication, and with web submission on it runs any jar it is sent
        setIfAbsent(flink, RestOptions.BIND_ADDRESS, LOOPBACK);
        setIfAbsent(flink, RestOptions.ADDRESS, LOOPBACK);
        setIfAbsent(flink, JobManagerOptions.BIND_HOST, LOOPBACK);
        setIfAbsent(flink, TaskManagerOptions.BIND_HOST, LOOPBACK);
        setIfAbsent(flink, TaskManagerOptions.HOST, LOOPBACK);
        setIfAbsent(flink, WebOptions.SUBMIT_ENABLE, false);
        setIfAbsent(flink, WebOptions.CANCEL_ENABLE, false);
        setIfAbsent(flink, WebOptions.RESCALE_ENABLE, false);
        int cores = Math.max(2, Runtime.getRuntime().availableProcessors());
        if (!flink.contains(CoreOptions.DEFAULT_PARALLELISM)) {
            flink.set(CoreOptions.DEFAULT_PARALLELISM, cores);
        }
        if (!flink.contains(TaskManagerOptions.NUM_TASK_SLOTS)) {
            flink.set(TaskManagerOptions.NUM_TASK_SLOTS, flink.get(CoreOptions.DEFAULT_PARALLELISM));
        }
        if (!flink.contains(RestOptions.BIND_PORT)) {
            flink.set(RestOptions.BIND_PORT, String.valueOf(freePortFrom(8081)));
        }
        String prom = REPORTERS + "prom.";
        if (flink.keySet().stream().noneMatch(key -> key.startsWith(REPORTERS) && !key.startsWith(prom))) {
            // Flink's metrics (the same names as its PrometheusReporter's) for Prometheus, on loopback unless
            // metrics.reporter.prom.* says otherwise; no default when other reporters are configured
            setIfAbsent(flink, prom + "factory.class", LoopbackPrometheusReporterFactory.class.getName());
            setIfAbsent(flink, prom + LoopbackPrometheusReporterFactory.HOST, LOOPBACK);
            if (!flink.containsKey(prom + LoopbackPrometheusReporterFactory.PORT)) {
                flink.setString(prom + LoopbackPrometheusReporterFactory.PORT, String.valueOf(freePortFrom(9249)));
            }
        }
        if (!flink.contains(CheckpointingOptions.CHECKPOINTING_INTERVAL)) {
            // a state reaches the API with the checkpoint after it; a barrier waits at most for one turn of
            // recognition (2 s of audio), so checkpoints are short and can come often
            flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        }
        Path checkpoints = dataDir.resolve("flink").resolve("checkpoints");
        Files.createDirectories(checkpoints);
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        flink.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        latestCheckpoint(checkpoints).ifPresent(chk -> {
            LOG.info("Resuming the Flink job from {}", chk);
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, chk.toString());
        });
        return flink;
    }

    /** The newest complete checkpoint (one with its _metadata written) of any earlier run. */
    static Optional<Path> latestCheckpoint(Path checkpoints) throws IOException {
        try (Stream<Path> jobsDirs = Files.list(checkpoints)) {
            return jobsDirs.filter(Files::isDirectory)
                    .flatMap(LocalStack::checkpointsOf)
                    .filter(chk -> Files.exists(chk.resolve("_metadata")))
                    .max(Comparator.comparingLong(chk -> chk.resolve("_metadata").toFile().lastModified()));
        }
    }

    private static Stream<Path> checkpointsOf(Path jobDir) {
        try (Stream<Path> s = Files.list(jobDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("chk-")).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static InetAddress addressOf(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (IOException e) {
            return null;
        }
    }

    private static void setIfAbsent(Configuration config, String key, String value) {
        if (!config.containsKey(key)) {
            config.setString(key, value);
        }
    }

    private static <T> void setIfAbsent(Configuration config, ConfigOption<T> option, T value) {
        if (!config.contains(option)) {
            config.set(option, value);
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    private static int freePortFrom(int first) {
        for (int port = first; port < first + 100; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
                return port;
            } catch (IOException busy) {
                // next
            }
        }
        return 0;
    }

    public String apiUrl() {
        return "http://" + apiHostForUrl + ":" + api.port() + "/";
    }

    /** The dashboard's page (a browser's GET of the API's root lands there too). */
    public String dashboardUrl() {
        return apiUrl() + "dashboard/";
    }

    public String webUi() {
        return webUi;
    }

    /** Where Flink's metrics are served for Prometheus, or null when another reporter was configured. */
    public String flinkMetricsUrl() {
        return flinkMetrics;
    }

    private static String flinkMetricsUrl(Configuration flink) {
        String prefix = REPORTERS + "prom.";
        if (!LoopbackPrometheusReporterFactory.class.getName().equals(flink.getString(prefix + "factory.class", null))) {
            return null;
        }
        return "http://" + flink.getString(prefix + LoopbackPrometheusReporterFactory.HOST, LOOPBACK) + ":"
                + flink.getString(prefix + LoopbackPrometheusReporterFactory.PORT, null) + "/metrics";
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The first access key: the one unsigned requests from this machine speak for. */
    public AccessKey accessKey() {
        return keys.first();
    }

    public Path usersFile() {
        return usersFile;
    }

    public JobClient flinkJob() {
        return flinkJob;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            api.close();
        } catch (RuntimeException e) {
            LOG.warn("Stopping the API", e);
        }
        if (callbacks != null) {
            try {
                callbacks.close();
            } catch (Exception e) {
                LOG.warn("Stopping the completion callbacks", e);
            }
        }
        try {
            flinkJob.cancel().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Stopping the Flink job", e);
        }
        try {
            jobs.close();
        } catch (Exception e) {
            LOG.warn("Stopping the job table", e);
        }
        try {
            kafka.close();
        } finally {
            lock.close();
        }
    }
}
