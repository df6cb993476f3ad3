package io.flinkasr.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.flinkasr.recognition.RecognizerMode;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every setting of flink-asr, typed, with its default, in one place. They are read from a Flink
 * {@code config.yaml} and can be overridden on the command line ({@code -Dasr.chunk.max-seconds=20}).
 */
public final class AsrOptions {

    private AsrOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            key("asr.kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka brokers that carry job requests and job states.");

    public static final ConfigOption<String> REQUESTS_TOPIC =
            key("asr.kafka.requests-topic")
                    .stringType()
                    .defaultValue("asr-job-requests")
                    .withDescription("Topic of SubmitASRJob requests, keyed by JobId (compacted).");

    public static final ConfigOption<String> STATES_TOPIC =
            key("asr.kafka.states-topic")
                    .stringType()
                    .defaultValue("asr-job-states")
                    .withDescription("Compacted topic of job states, keyed by JobId.");

    public static final ConfigOption<String> ASSETS_TOPIC =
            key("asr.kafka.assets-topic")
                    .stringType()
                    .defaultValue("asr-media-assets")
                    .withDescription("Compacted topic of registered media assets (RegisterMediaInfo), keyed by MediaId.");

    public static final ConfigOption<String> EVENTS_TOPIC =
            key("asr.kafka.events-topic")
                    .stringType()
                    .defaultValue("asr-job-events")
                    .withDescription("Topic of completion events (one JSON event per job that ends Finished or Failed),"
                            + " keyed by JobId, for consumers inside the platform.");

    public static final ConfigOption<String> CALLBACKS_TOPIC =
            key("asr.kafka.callbacks-topic")
                    .stringType()
                    .defaultValue("asr-job-callbacks")
                    .withDescription("Compacted topic of completion callbacks, keyed by JobId: each callback's latest"
                            + " state (Pending with its next attempt, Delivered, GaveUp).");

    public static final ConfigOption<String> GROUP_ID =
            key("asr.kafka.group-id")
                    .stringType()
                    .defaultValue("flink-asr")
                    .withDescription("Consumer group of the Flink job's request source.");

    public static final ConfigOption<Integer> TOPIC_PARTITIONS =
            key("asr.kafka.partitions")
                    .intType()
                    .defaultValue(4)
                    .withDescription("Partitions of the topics when flink-asr creates them.");

    public static final ConfigOption<Integer> REPLICATION_FACTOR =
            key("asr.kafka.replication-factor")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Replicas of each topic when flink-asr creates them (default: the brokers' "
                                    + "default.replication.factor). 3 on a cluster, so one lost disk loses no job.");

    public static final ConfigOption<Integer> MIN_INSYNC_REPLICAS =
            key("asr.kafka.min-insync-replicas")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "min.insync.replicas of the topics flink-asr creates (default: the brokers'). 2 with "
                                    + "3 replicas: a write is acknowledged only once two brokers hold it.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            key("asr.checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "How often the job checkpoints (exactly once) when neither this option nor Flink's "
                                    + "execution.checkpointing.interval is set; set here, it wins over Flink's. "
                                    + "A state reaches the API when the checkpoint after it completes, so the job "
                                    + "always checkpoints, whatever the submitting client's config says.");

    public static final ConfigOption<String> CHECKPOINT_TRIGGER_URL =
            key("asr.checkpoint.trigger-url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The Flink REST endpoint of the JobManager (http://jobmanager:8081) that the job asks for a "
                                    + "checkpoint as soon as a job's final state (Finished, Failed) is written, so that "
                                    + "it becomes visible without waiting for the interval; nothing else changes. "
                                    + "Unset: states become visible with the periodic checkpoints alone. The local "
                                    + "stack sets its own.");

    public static final ConfigOption<String> MODEL_PATH =
            key("asr.model.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Folder of the Vosk model. Default: model/model-en-us beside flink-asr.jar"
                                    + " (where the Maven build unpacks it).");

    public static final ConfigOption<RecognizerMode> RECOGNIZER_MODE =
            key("asr.recognizer.mode")
                    .enumType(RecognizerMode.class)
                    .defaultValue(RecognizerMode.REUSED)
                    .withDescription(
                            "How Vosk is set up per chunk. REUSED: one recognizer per subtask on the JVM's"
                                    + " shared model, reset between chunks (fastest). FRESH: a new recognizer per"
                                    + " chunk (about twice the CPU). Either way Vosk's words can move by a word or"
                                    + " two in a thousand between runs.");

    public static final ConfigOption<String> ATTEMPTS_DIR =
            key("asr.recognition.attempts-dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A folder on storage every TaskManager shares (beside the checkpoints) where attempts"
                                    + " to recognise a chunk are counted, so that a chunk that crashes its worker"
                                    + " fails its job after asr.recognition.max-attempts instead of restarting the"
                                    + " pipeline for ever. Unset: not counted.");

    public static final ConfigOption<Integer> MAX_ATTEMPTS =
            key("asr.recognition.max-attempts")
                    .intType()
                    .defaultValue(3)
                    .withDescription("Attempts at a chunk whose recognition kills its worker before its job fails.");

    public static final ConfigOption<List<String>> MEDIA_ROOTS =
            key("asr.media.roots")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription("Folders that file:// and plain-path inputs may be read from.");

    public static final ConfigOption<String> FFMPEG =
            key("asr.ffmpeg.path")
                    .stringType()
                    .defaultValue("ffmpeg")
                    .withDescription("The ffmpeg executable.");

    public static final ConfigOption<String> FFPROBE =
            key("asr.ffprobe.path")
                    .stringType()
                    .defaultValue("ffprobe")
                    .withDescription(
                            "Not run any more: the first window's ffmpeg reads the media's header (one process"
                                    + " start per job instead of two). Accepted so that configurations naming it still load.");

    public static final ConfigOption<String> STAGING_DIR =
            key("asr.media.staging-dir")
                    .stringType()
                    .defaultValue(System.getProperty("java.io.tmpdir") + "/flink-asr-staging")
                    .withDescription(
                            "Folder where remote media (oss://, s3://, http(s)://) is staged while its job runs;"
                                    + " the recognisers decode their chunks' windows from it, so on a cluster of several"
                                    + " machines it must be storage every TaskManager shares. Each file is deleted when"
                                    + " its job ends.");

    public static final ConfigOption<Double> CHUNK_MAX_SECONDS =
            key("asr.chunk.max-seconds")
                    .doubleType()
                    .defaultValue(25.0)
                    .withDescription("Longest chunk; the planner cuts at the quietest point before it.");

    public static final ConfigOption<Double> CHUNK_MIN_SECONDS =
            key("asr.chunk.min-seconds")
                    .doubleType()
                    .defaultValue(15.0)
                    .withDescription("Shortest chunk, but for the last one of a job.");

    public static final ConfigOption<Double> CHUNK_LONGEST_SECONDS =
            key("asr.chunk.longest-seconds")
                    .doubleType()
                    .defaultValue(60.0)
                    .withDescription(
                            "Longest chunk of a long job. A job's chunks are as long as it allows while it still"
                                    + " gives every recognition subtask two (its duration / (2 x parallelism)), but no"
                                    + " shorter than min-seconds / max-seconds say and no longer than this: fewer chunks"
                                    + " hear less context again (context-seconds each) and have fewer seams. Set to"
                                    + " max-seconds (or less) to cut every job as min-seconds / max-seconds say.");

    public static final ConfigOption<Double> CHUNK_WHOLE_SECONDS =
            key("asr.chunk.whole-seconds")
                    .doubleType()
                    .noDefaultValue()
                    .withDescription(
                            "Media (or a StartTime/Duration range) no longer than this is recognised whole, as one"
                                    + " chunk: what Vosk gives for the whole file, with no seam. Default: min-seconds"
                                    + " + max-seconds (40 s), the longest media that would be cut in just two; splitting"
                                    + " that saves 1-2 s on two cores, about the wait for the next checkpoint."
                                    + " 0: split anything longer than max-seconds.");

    public static final ConfigOption<Double> CHUNK_OVERLAP_SECONDS =
            key("asr.chunk.overlap-seconds")
                    .doubleType()
                    .defaultValue(1.5)
                    .withDescription(
                            "Where a window has no pause to cut in, the next chunk starts this much before the cut;"
                                    + " each word in the overlap is kept once, by its time.");

    public static final ConfigOption<Duration> MAX_MEDIA_DURATION =
            key("asr.media.max-duration")
                    .durationType()
                    .defaultValue(Duration.ofHours(12))
                    .withDescription("Longest media (or StartTime/Duration range) a job may recognise; longer is Media.TooLong.");

    public static final ConfigOption<Double> CHUNK_CONTEXT_SECONDS =
            key("asr.chunk.context-seconds")
                    .doubleType()
                    .defaultValue(3.0)
                    .withDescription(
                            "Seconds of the audio before a chunk that the recogniser hears first (and whose words"
                                    + " are dropped), so that it does not start each chunk cold.");

    public static final ConfigOption<Duration> DECODE_TIMEOUT =
            key("asr.media.decode-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription("Longest an ffmpeg run for one window may take.");

    public static final ConfigOption<MemorySize> MEDIA_MAX_BYTES =
            key("asr.media.max-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("2gb"))
                    .withDescription(
                            "Largest remote InputFile (oss://, s3://, http(s)://) that is fetched; a larger one ends"
                                    + " the job Failed (InputFile.TooLarge), before fetching where its size is announced.");

    public static final ConfigOption<MemorySize> FETCH_STEP_BYTES =
            key("asr.media.fetch.step-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("8mb"))
                    .withDescription("How much of a remote InputFile the chunker fetches per timer.");

    public static final ConfigOption<Duration> FETCH_CONNECT_TIMEOUT =
            key("asr.media.fetch.connect-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Longest wait for a connection to a media server or object store.");

    public static final ConfigOption<Duration> FETCH_READ_TIMEOUT =
            key("asr.media.fetch.read-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(15))
                    .withDescription(
                            "Longest wait for the next bytes of an answer; a step that got nothing by then ends"
                                    + " the job Failed (InputFile.Timeout).");

    public static final ConfigOption<Duration> FETCH_CALL_TIMEOUT =
            key("asr.media.fetch.call-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "Longest one fetch step may take, from connecting to the last byte; the bytes that"
                                    + " arrived by then are kept and the next step goes on from there.");

    public static final ConfigOption<List<String>> HTTP_ALLOWED_ADDRESSES =
            key("asr.media.http.allowed-addresses")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Address blocks (CIDR, e.g. 10.1.0.0/16 or fd00::/8) that http(s) InputFiles may reach,"
                                    + " on the allowed ports only, although they are loopback, private, link-local or"
                                    + " otherwise not public. Nothing by default.");

    public static final ConfigOption<List<Integer>> HTTP_ALLOWED_PORTS =
            key("asr.media.http.allowed-ports")
                    .intType()
                    .asList()
                    .defaultValues(80, 443)
                    .withDescription("Ports that http(s) InputFiles may use, on public and allow-listed addresses alike.");

    public static final ConfigOption<List<Integer>> HTTP_DENIED_PORTS =
            key("asr.media.http.denied-ports")
                    .intType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Ports that http(s) InputFiles may never reach on an address that is not public, even an"
                                    + " allow-listed one: flink-asr's own listeners. The local stack adds its API, Flink"
                                    + " REST and Kafka ports.");

    public static final ConfigOption<Integer> HTTP_MAX_REDIRECTS =
            key("asr.media.http.max-redirects")
                    .intType()
                    .defaultValue(5)
                    .withDescription("Most redirects followed per request; each target is checked like the first URL.");

    public static final ConfigOption<String> S3_ENDPOINT =
            key("asr.media.s3.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "S3 API endpoint (https://s3.eu-west-1.amazonaws.com, https://oss-cn-shanghai.aliyuncs.com,"
                                    + " http://minio:9000) that s3://bucket/key and oss://bucket/key are read from."
                                    + " Without it such inputs are refused.");

    public static final ConfigOption<String> S3_REGION =
            key("asr.media.s3.region")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Region the S3 requests are signed for. Default: taken from an OSS endpoint's host"
                                    + " (oss-cn-shanghai), else us-east-1.");

    public static final ConfigOption<String> S3_ACCESS_KEY =
            key("asr.media.s3.access-key")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Access key id for the S3 API (also for OSS); without it requests are anonymous.");

    public static final ConfigOption<String> S3_SECRET_KEY =
            key("asr.media.s3.secret-key")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Secret for asr.media.s3.access-key (Flink hides keys named *secret* in its logs).");

    public static final ConfigOption<List<String>> OSS_ENDPOINTS =
            key("asr.media.s3.oss-endpoints")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "OSS endpoints that an InputFile may name as oss://bucket.ENDPOINT/key, as hosts"
                                    + " (oss-cn-shanghai.aliyuncs.com, read over https) or URLs (http://oss.local:9000);"
                                    + " any other endpoint is refused (InputFile.AccessDenied). The host of"
                                    + " asr.media.s3.endpoint is always allowed.");

    public static final ConfigOption<Duration> STALL_TIMEOUT =
            key("asr.job.stall-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "A job that makes no progress for this long ends Failed (Job.Timeout)"
                                    + " instead of staying Executing.");

    public static final ConfigOption<Duration> ENDED_RETENTION =
            key("asr.job.ended-retention")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "How long the assembler remembers an ended job, to drop its late chunks.");

    public static final ConfigOption<Duration> JOB_RETENTION =
            key("asr.job.retention")
                    .durationType()
                    .defaultValue(Duration.ofDays(30))
                    .withDescription(
                            "How long an ended job (Finished or Failed) and a media asset stay after their last"
                                    + " change; then the API writes tombstones for them to the compacted topics and"
                                    + " they answer as unknown (InvalidParameter.JobId, InvalidParameter.MediaId).");

    public static final ConfigOption<Boolean> CALLBACKS_ENABLED =
            key("asr.callbacks.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Whether this process (api, local) delivers completion callbacks and writes"
                            + " the events topic. Run it in one process per cluster, or in a 'callbacks' process.");

    public static final ConfigOption<String> CALLBACKS_GROUP_ID =
            key("asr.callbacks.group-id")
                    .stringType()
                    .defaultValue("flink-asr-callbacks")
                    .withDescription("Consumer group (and transactional id) with which callbacks read the states topic.");

    public static final ConfigOption<Duration> CALLBACKS_FIRST_RETRY =
            key("asr.callbacks.first-retry")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Wait after a callback's first failed attempt; it doubles with each further one.");

    public static final ConfigOption<Duration> CALLBACKS_MAX_RETRY_INTERVAL =
            key("asr.callbacks.max-retry-interval")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription("The longest wait between two attempts at a callback.");

    public static final ConfigOption<Duration> CALLBACKS_GIVE_UP_AFTER =
            key("asr.callbacks.give-up-after")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription("A callback not delivered this long after the job ended is given up (GaveUp).");

    public static final ConfigOption<Duration> CALLBACKS_TIMEOUT =
            key("asr.callbacks.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("The longest one callback attempt may take (connect, send, answer).");

    public static final ConfigOption<Integer> CALLBACKS_CONCURRENCY =
            key("asr.callbacks.concurrency")
                    .intType()
                    .defaultValue(16)
                    .withDescription("Callback attempts under way at once.");

    public static final ConfigOption<Integer> CALLBACKS_PER_HOST =
            key("asr.callbacks.per-host")
                    .intType()
                    .defaultValue(4)
                    .withDescription("Callback attempts under way at once to one host (a slow or dead receiver holds"
                            + " no more than this many).");

    public static final ConfigOption<Integer> API_PORT =
            key("asr.api.port").intType().defaultValue(8080).withDescription("HTTP port of the API.");

    public static final ConfigOption<String> API_HOST =
            key("asr.api.host")
                    .stringType()
                    .defaultValue("0.0.0.0")
                    .withDescription(
                            "Address the API listens on. The local stack (local, demo, transcribe) listens on"
                                    + " 127.0.0.1 unless this is set.");

    public static final ConfigOption<String> API_STORE_DIR =
            key("asr.api.store-dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Folder of the API's job store (RocksDB): the jobs, assets and callbacks it read from the"
                                    + " topics, and the offsets it read them to, so a restart resumes there. Unset: a"
                                    + " temporary folder, removed at exit (every start reads the topics from the"
                                    + " beginning). The local stack uses <data>/api-store. One process per folder.");

    public static final ConfigOption<MemorySize> API_STORE_CACHE =
            key("asr.api.store-cache")
                    .memoryType()
                    .defaultValue(MemorySize.parse("64mb"))
                    .withDescription("Memory of the job store for blocks read and writes not yet flushed (outside the heap).");

    public static final ConfigOption<Duration> API_READ_BARRIER =
            key("asr.api.read-barrier")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "Longest the API waits, on a JobId or MediaId it does not know, to read the topics up to"
                                    + " their current end (another replica may just have written it) before answering"
                                    + " that it does not exist.");

    public static final ConfigOption<Integer> API_MAX_CONNECTIONS =
            key("asr.api.max-connections")
                    .intType()
                    .defaultValue(1000)
                    .withDescription(
                            "Most connections the API holds open at once; past it, new connections wait in the"
                                    + " kernel's backlog instead of using the process's file descriptors.");

    public static final ConfigOption<Integer> API_MAX_CONNECTIONS_PER_ADDRESS =
            key("asr.api.max-connections-per-address")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "Most connections one client address may hold open; more are closed at once. Behind a"
                                    + " load balancer or proxy every client has its address: raise this.");

    public static final ConfigOption<Integer> API_CONCURRENT_REQUESTS =
            key("asr.api.concurrent-requests")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Requests the API works on at once (checking the signature, reading the store, rendering"
                                    + " the answer); the rest wait their turn in arrival order, at most asr.api.read-timeout,"
                                    + " then are answered ServiceUnavailable (503). Bodies are read and answers written"
                                    + " outside this limit. Default: twice the cores.");

    public static final ConfigOption<Duration> API_READ_TIMEOUT =
            key("asr.api.read-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "Longest time a client may take to send a request's headers, and again its body;"
                                    + " a slower one is answered RequestTimeout (408) or cut off.");

    public static final ConfigOption<MemorySize> API_MIN_DATA_RATE =
            key("asr.api.min-request-data-rate")
                    .memoryType()
                    .defaultValue(MemorySize.parse("1kb"))
                    .withDescription("Slowest a request body may arrive while the API reads it, in bytes per second (RequestTimeout "
                            + "below it). A request waiting for a busy API's thread is not counted against it.");

    public static final ConfigOption<Duration> API_IDLE_TIMEOUT =
            key("asr.api.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("How long an idle keep-alive connection stays open.");

    public static final ConfigOption<String> METRICS_TOKEN_FILE =
            key("asr.api.metrics-token-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A file holding a bearer token: GET /metrics then also answers requests from other"
                                    + " machines that send 'Authorization: Bearer <token>' (Prometheus:"
                                    + " authorization.credentials_file). Without it /metrics answers this machine only.");

    public static final ConfigOption<String> FLINK_REST_URL =
            key("asr.api.flink-rest-url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The Flink REST endpoint (http://jobmanager:8081) that the api command asks whether the"
                                    + " job named 'flink-asr' is RUNNING; /health is DOWN while it is not. With standby"
                                    + " JobManagers, every one's address, comma-separated (asked in turn). Unset: /health"
                                    + " reports the API and its Kafka reader only. The local stack asks its own job.");

    public static final ConfigOption<Boolean> DASHBOARD_ENABLED =
            key("asr.dashboard.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Serve the read-only web dashboard at /dashboard/ (a browser's GET of / goes there);"
                                    + " off: those paths answer InvalidAction.NotFound like any unknown path.");

    public static final ConfigOption<Duration> DASHBOARD_SESSION_TIMEOUT =
            key("asr.dashboard.session-timeout")
                    .durationType()
                    .defaultValue(Duration.ofHours(8))
                    .withDescription("How long a dashboard sign-in lasts (an HttpOnly cookie; kept in the API's memory).");

    public static final ConfigOption<String> DASHBOARD_FLINK_UI_URL =
            key("asr.dashboard.flink-ui-url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Address of the Flink web UI as a browser reaches it (http://127.0.0.1:8081), linked"
                                    + " from the dashboard for operators. The local stack sets its own.");

    public static final ConfigOption<Duration> SIGNATURE_WINDOW =
            key("asr.api.signature-window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription("How far a signed request's timestamp may be from the server's clock.");

    public static final ConfigOption<Boolean> UNSIGNED_FROM_LOOPBACK =
            key("asr.api.unsigned-from-loopback")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Accept unsigned requests from this machine, as the first access key (the local"
                                    + " stack turns this on for curl; a service reachable by others should not).");

    public static final ConfigOption<Double> RATE_LIMIT =
            key("asr.api.rate-limit")
                    .doubleType()
                    .defaultValue(50.0)
                    .withDescription("Requests per second each access key may make; more are answered Throttling.");

    public static final ConfigOption<Integer> RATE_BURST =
            key("asr.api.rate-burst")
                    .intType()
                    .defaultValue(100)
                    .withDescription("Requests an access key may make at once above its rate.");

    public static final ConfigOption<Long> NONCE_CAPACITY =
            key("asr.api.nonce-capacity")
                    .longType()
                    .defaultValue(4_000_000L)
                    .withDescription("Most signature nonces one API process remembers for all keys together (about 14 bytes of "
                            + "heap each; each is kept until its request's timestamp leaves asr.api.signature-window). Past it "
                            + "signed requests are answered Throttling.Api until old nonces are forgotten.");

    public static final ConfigOption<String> TLS_KEYSTORE =
            key("asr.api.tls.keystore")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("A PKCS12 keystore with the server's certificate: the API then speaks HTTPS.");

    public static final ConfigOption<Integer> TLS_PORT =
            key("asr.api.tls.port")
                    .intType()
                    .defaultValue(8443)
                    .withDescription("The HTTPS port, when a keystore is given (plain HTTP stays on asr.api.port).");

    public static final ConfigOption<String> TLS_KEYSTORE_PASSWORD =
            key("asr.api.tls.keystore-password")
                    .stringType()
                    .defaultValue("")
                    .withDescription("The keystore's password.");
}
