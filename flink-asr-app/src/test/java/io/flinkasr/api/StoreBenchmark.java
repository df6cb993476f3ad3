package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.bench.LatencyStats;
import io.flinkasr.bench.ProcessCpu;
import io.flinkasr.cluster.JavaProcess;
import io.flinkasr.cluster.ResidentMemory;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.EmbeddedKafka;
import io.flinkasr.records.JobRequest;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.records.Json;
import io.flinkasr.records.Segment;
import io.flinkasr.testing.FreePorts;
import io.flinkasr.workflow.JobTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The API's job store at scale (issue 16): {@code mvn verify -Pbench -Dit.test=StoreBenchmark}, with
 * {@code -Dflinkasr.bench.jobs=N} (default 1,000,000) and {@code -Dflinkasr.bench.seconds=S} (each load run,
 * default 20, each after a warm-up of {@code -Dflinkasr.bench.warm-up-seconds}, default 10, not counted;
 * {@code -Dflinkasr.bench.gzip=true} asks for gzip'd answers as the official SDK does, and
 * {@code -Dflinkasr.bench.api-jvm="..."} adds JVM flags to the API's). It writes N jobs to the topics of an embedded broker (ZSTD-compressed; 10 % Finished with a
 * 200 KB transcript, 60 % Finished with a short one, 10 % Failed, 10 % Executing, 10 % Created only; over 100
 * tenants and 20 days), starts {@code flink-asr api} as its own process (with compose's JVM flags, a new store folder) and
 * measures: the build of the store from scratch, resident memory, ready after a restart and after a SIGKILL,
 * signed GetSmartHandleJob at 64 connections (every answer checked against the job's latest state),
 * ListSmartJobs 100 per page at random pages (with the CPU the API and this JVM, the load's client, spent
 * during each), and the counts of every tenant by state against what was written. Prints each target MET or NOT MET and writes target/bench/store-benchmark.md; deletes its broker
 * and store at the end, unless given a folder to keep them in ({@code -Dflinkasr.bench.dir=DIR}): a later run with the
 * same folder and job count skips writing the jobs and, unless {@code -Dflinkasr.bench.rebuild=true}, building the
 * store (a million jobs take over an hour to build on two cores; the loads a few minutes). Asserts only that every
 * answer was right, never anything about time.
 */
class StoreBenchmark {
    private static final long FIRST_TENANT = 1000000000000000L;
    private static final int TENANTS = 100;
    private static final int CONNECTIONS = 64;
    private static final String READY = "API ready on port";
    private static final long DAY = 86_400_000L;

    private final int jobs = Integer.getInteger("flinkasr.bench.jobs", 1_000_000);
    private final int seconds = Integer.getInteger("flinkasr.bench.seconds", 20);
    /** Seconds of the same load before each measured run, not counted. */
    private final int warmUp = Integer.getInteger("flinkasr.bench.warm-up-seconds", 10);
    /** Whether the load asks for gzip'd answers, as the official SDK does (OkHttp); the client then unzips each. */
    private final boolean gzip = Boolean.getBoolean("flinkasr.bench.gzip");
    /** The loads to run, {@code get} and {@code list} (one alone: to profile it with {@code api-jvm}'s agent). */
    private final java.util.Set<String> loads = java.util.Set.of(System.getProperty("flinkasr.bench.loads", "get,list").split(","));
    private final long start = System.currentTimeMillis() - 20 * DAY;
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final List<String[]> targets = new ArrayList<>();

    /** The i-th job's id, owner and state: computed, so nothing of a million jobs is kept here. */
    static String jobId(int i) {
        return String.format(Locale.ROOT, "%016x%016x", mix(i), i);
    }

    static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        return x ^ (x >>> 33);
    }

    static long userId(int i) {
        return FIRST_TENANT + (i % TENANTS);
    }

    static JobState state(int i) {
        int kind = (int) Math.floorMod(mix(i * 31L + 7), 10);
        return kind == 0 || kind <= 6 ? JobState.Finished : kind == 7 ? JobState.Failed : kind == 8 ? JobState.Executing : JobState.Created;
    }

    static boolean large(int i) {
        return Math.floorMod(mix(i * 31L + 7), 10) == 0;
    }

    @Test
    void benchmark() throws Exception {
        String kept = System.getProperty("flinkasr.bench.dir", "").strip();
        Path dir = kept.isEmpty() ? Files.createTempDirectory(Files.createDirectories(Path.of("target")), "store-bench")
                : Files.createDirectories(Path.of(kept));
        Path generated = dir.resolve("generated-jobs");
        if (!kept.isEmpty() && Files.exists(generated) && Integer.parseInt(Files.readString(generated).strip()) != jobs) {
            throw new IllegalStateException(dir + " holds " + Files.readString(generated).strip() + " jobs, not " + jobs + ": use another folder");
        }
        JavaProcess api = null;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            Configuration config = new Configuration();
            config.set(AsrOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            if (Files.exists(generated)) {
                figure("jobs on the topics", String.format(Locale.ROOT, "%,d (written by an earlier run into %s)", jobs, dir));
            } else {
                JobTopics.ensureExist(config);
                long t0 = System.nanoTime();
                long bytes = generate(kafka.bootstrapServers());
                figure("jobs on the topics", String.format(Locale.ROOT, "%,d (%,d MB of JSON, written in %.0f s)", jobs, bytes >> 20, secondsSince(t0)));
                if (!kept.isEmpty()) {
                    Files.writeString(generated, String.valueOf(jobs));
                }
            }
            boolean storeKept = Files.exists(dir.resolve("api-store").resolve("CURRENT"));
            if (storeKept && Boolean.getBoolean("flinkasr.bench.rebuild")) {
                try (var files = Files.walk(dir.resolve("api-store"))) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
                storeKept = false;
            }

            Path users = dir.resolve("users.json");
            List<AccessKey> keys = new ArrayList<>();
            for (int t = 0; t < TENANTS; t++) {
                keys.add(new AccessKey(FIRST_TENANT + t, "LTAIstoreBench" + t, "secretOfTheStoreBenchmark" + t));
            }
            Files.write(users, Json.MAPPER.writeValueAsBytes(keys));
            int port = FreePorts.one();
            long b0 = System.nanoTime();
            // the API as the compose file and the image run it: a 256 MB heap (the store is outside it), glibc with two arenas
            List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-Xms32m", "-XX:MaxNewSize=64m", "-XX:+UseSerialGC",
                    "-Djdk.nio.maxCachedBufferSize=262144", "-XX:TrimNativeHeapInterval=10000"));
            String extraJvm = System.getProperty("flinkasr.bench.api-jvm", "").strip(); // e.g. -XX:NativeMemoryTracking=summary
            if (!extraJvm.isEmpty()) {
                jvm.addAll(List.of(extraJvm.split("\\s+")));
            }
            api = JavaProcess.start("store-bench-api", dir.resolve("api.log"), jvm,
                    Map.of("MALLOC_ARENA_MAX", "2"), "io.flinkasr.cli.FlinkAsr", List.of("api", "--bootstrap-servers", kafka.bootstrapServers(),
                            "--port", String.valueOf(port), "--users", users.toString(),
                            "-D" + AsrOptions.API_STORE_DIR.key() + "=" + dir.resolve("api-store"),
                            "-D" + AsrOptions.CALLBACKS_ENABLED.key() + "=false",
                            "-D" + AsrOptions.DASHBOARD_ENABLED.key() + "=false",
                            "-D" + AsrOptions.RATE_LIMIT.key() + "=1000000", "-D" + AsrOptions.RATE_BURST.key() + "=1000000",
                            "-D" + AsrOptions.API_MAX_CONNECTIONS_PER_ADDRESS.key() + "=1000"),
                    READY, Duration.ofHours(3));
            double build = secondsSince(b0);
            figure("store built from scratch (new replica)", storeKept ? "not measured: the store of an earlier run was kept (-Dflinkasr.bench.rebuild=true builds it again)"
                    : String.format(Locale.ROOT, "%.1f s (%,.0f jobs/s)", build, jobs / build));
            figure("store on disk", String.format(Locale.ROOT, "%,d MB", sizeOf(dir.resolve("api-store")) >> 20));

            // a client per tenant: a job answers its own tenant only
            List<ApiClient> clients = keys.stream().map(k -> new ApiClient("http://127.0.0.1:" + port, k)).toList();
            long[] wrong = new long[1];
            Map<String, Long> wrongKinds = new java.util.concurrent.ConcurrentSkipListMap<>();
            if (loads.contains("get")) {
                LatencyStats gets = load(CONNECTIONS, port, api.pid(), connection -> {
                    int i = ThreadLocalRandom.current().nextInt(jobs);
                    KeepAliveConnection.Answer a = connection.send(clients.get(i % TENANTS), "GetSmartHandleJob", Map.of("JobId", jobId(i)));
                    if (a.status() != 200 || !a.field("State").equals(state(i).name())) {
                        synchronized (wrong) {
                            wrong[0]++;
                        }
                        wrongKinds.merge(a.status() + " " + (a.status() == 200 ? a.field("State") : a.field("Code")), 1L, Long::sum);
                    }
                }, "GetSmartHandleJob");
                target("GetSmartHandleJob, 64 connections, signed", String.format(Locale.ROOT, "%,.0f requests/s, p99 %.1f ms (p50 %.1f ms, %,d requests)",
                        gets.runs() / (double) seconds, 1000 * p99(gets), 1000 * gets.p50(), gets.runs()), ">= 10,000/s, p99 < 50 ms",
                        gets.runs() / (double) seconds >= 10_000 && p99(gets) < 0.05);
                figure("GetSmartHandleJob answers not the job's latest state", wrong[0] + (wrongKinds.isEmpty() ? "" : " " + wrongKinds));
            }

            if (loads.contains("list")) {
                LatencyStats lists = load(CONNECTIONS, port, api.pid(), connection -> {
                    int pages = Math.max(1, jobs / TENANTS / 100); // each tenant holds a hundredth of the jobs
                    KeepAliveConnection.Answer a = connection.send(clients.get(ThreadLocalRandom.current().nextInt(TENANTS)), "ListSmartJobs",
                            Map.of("PageSize", "100", "PageNo", String.valueOf(1 + ThreadLocalRandom.current().nextInt(pages))));
                    if (a.status() != 200 || a.field("JobId").isEmpty()) {
                        synchronized (wrong) {
                            wrong[0]++;
                        }
                        wrongKinds.merge("ListSmartJobs " + a.status() + " " + a.field("Code"), 1L, Long::sum);
                    }
                }, "ListSmartJobs");
                target("ListSmartJobs, 100 per page, random pages", String.format(Locale.ROOT, "p99 %.1f ms (p50 %.1f ms, %,.0f pages/s)",
                        1000 * p99(lists), 1000 * lists.p50(), lists.runs() / (double) seconds), "p99 < 50 ms", p99(lists) < 0.05);
            }
            double rss = ResidentMemory.mebibytes(api.pid());
            target("API resident memory (VmRSS) after the loads", String.format(Locale.ROOT, "%.0f MB", rss), "<= 512 MB", rss <= 512);
            figure("answers not as expected after both loads (HTTP status, State or Code)", wrong[0] + " " + wrongKinds);

            int ownJobs = 0;
            for (int i = 0; i < jobs; i++) {
                if (userId(i) == FIRST_TENANT) {
                    ownJobs++;
                }
            }
            JsonNode all = clients.get(0).call("ListSmartJobs", Map.of("MaxResults", "1"));
            figure("ListSmartJobs TotalCount of one tenant (written / answered)", ownJobs + " / " + all.path("TotalCount").asLong());
            long[] expected = new long[JobState.values().length];
            for (int i = 0; i < jobs; i++) {
                expected[state(i).ordinal()]++;
            }
            String metrics = metrics(port);
            StringBuilder counts = new StringBuilder();
            boolean countsRight = all.path("TotalCount").asLong() == ownJobs;
            for (JobState s : JobState.values()) {
                long shown = gauge(metrics, "flinkasr_jobs{state=\"" + s.name() + "\"}");
                counts.append(s.name()).append(' ').append(expected[s.ordinal()]).append('/').append(shown).append(' ');
                countsRight &= shown == expected[s.ordinal()];
            }
            target("nothing lost: jobs by state over all tenants (written/answered)", counts.toString().strip(), "all equal", countsRight && wrong[0] == 0);

            api.stop();
            long r0 = System.nanoTime();
            api.restart(READY, Duration.ofMinutes(10));
            double restart = secondsSince(r0);
            target("ready after a restart", String.format(Locale.ROOT, "%.1f s (JVM start included)", restart), "<= 5 s", restart <= 5);
            api.kill();
            long k0 = System.nanoTime();
            api.restart(READY, Duration.ofMinutes(10));
            double afterKill = secondsSince(k0);
            target("ready after kill -9", String.format(Locale.ROOT, "%.1f s (JVM start included)", afterKill), "<= 5 s", afterKill <= 5);
            figure("records read after the kill -9 restart", String.valueOf(gauge(metrics(port), "flinkasr_api_store_records_read_total")));
            Files.readAllLines(dir.resolve("api.log")).stream().filter(l -> l.contains("The job table caught up"))
                    .forEach(l -> figure("catch-up (API log)", l.substring(l.indexOf("The job table"))));
            int sampled = 0;
            Random random = new Random(16);
            for (int n = 0; n < 2000; n++) {
                int i = random.nextInt(jobs);
                ApiClient.Answer a = clients.get(i % TENANTS).send("GetSmartHandleJob", Map.of("JobId", jobId(i)));
                if (a.status() == 200 && a.body().path("State").asText().equals(state(i).name())) {
                    sampled++;
                }
            }
            figure("after the restarts, sampled jobs with their latest state", sampled + " of 2000");
            report();
            assertThat(wrong[0]).as("answers that were not the job's latest state").isZero();
            assertThat(sampled).isEqualTo(2000);
            assertThat(countsRight).isTrue();
        } finally {
            if (api != null) {
                api.kill();
            }
            // the API's log outlives the run (the store and the broker do not): why a run failed, its catch-up lines
            Path log = dir.resolve("api.log");
            if (Files.exists(log)) {
                Path out = Files.createDirectories(Path.of(System.getProperty("flinkasr.bench.out", "target/bench")));
                Files.copy(log, out.resolve("store-benchmark-api.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (kept.isEmpty()) {
                try (var files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** Writes every job's request and (but for Created ones) its latest state; the bytes of JSON written. */
    private long generate(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1 << 20));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 << 20));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128 << 20));
        List<String> transcripts = new ArrayList<>();
        Random random = new Random(1);
        String[] words = ("ask not what your country can do for you ask what you can do for your country we choose to go to"
                + " the moon in this decade and do the other things not because they are easy but because they are hard").split(" ");
        for (int v = 0; v < 16; v++) {
            List<Segment> segments = new ArrayList<>();
            int size = 0;
            for (double at = 0; size < 200_000; at += 4.2) {
                Segment s = new Segment();
                StringBuilder b = new StringBuilder();
                for (int w = 0; w < 12; w++) {
                    b.append(words[random.nextInt(words.length)]).append(' ');
                }
                s.content = b.toString().strip();
                s.from = at;
                s.to = at + 4.0;
                segments.add(s);
                size += s.content.length() + 40;
            }
            transcripts.add(Json.MAPPER.writeValueAsString(segments));
        }
        Segment shortOne = new Segment();
        shortOne.content = "Ask not what your country can do for you.";
        shortOne.to = 3.2;
        String shortTranscript = Json.MAPPER.writeValueAsString(List.of(shortOne, shortOne));
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < jobs; i++) {
                JobRequest r = new JobRequest();
                r.jobId = jobId(i);
                r.userId = userId(i);
                r.accessKeyId = "LTAIstoreBench" + (i % TENANTS);
                r.inputFile = "oss://media-bucket/ingest/2026/11/" + r.jobId + ".mp4";
                r.title = "Episode " + i;
                r.createTime = start + (long) i * (20 * DAY) / jobs;
                byte[] request = Json.bytes(r);
                producer.send(new ProducerRecord<>("asr-job-requests", r.jobId, request));
                bytes += request.length;
                JobState state = state(i);
                if (state == JobState.Created) {
                    continue;
                }
                JobStatus status = JobStatus.of(r, state, r.createTime + 60_000);
                status.chunksTotal = 4;
                status.chunksDone = state == JobState.Executing ? 2 : 4;
                status.mediaSeconds = large(i) ? 3600 : 8;
                if (state == JobState.Failed) {
                    status.errorCode = "InputFile.NotFound";
                    status.errorMessage = "The input file does not exist.";
                }
                String json = Json.MAPPER.writeValueAsString(status);
                if (state == JobState.Finished) {
                    String segments = large(i) ? transcripts.get(i % transcripts.size()) : shortTranscript;
                    json = json.substring(0, json.length() - 1) + ",\"segments\":" + segments + "}";
                }
                byte[] value = json.getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>("asr-job-states", r.jobId, value));
                bytes += value.length;
            }
            producer.flush();
        }
        return bytes;
    }

    @FunctionalInterface
    interface Request {
        void send(KeepAliveConnection connection) throws Exception;
    }

    /**
     * {@code connections} threads, each with its own keep-alive connection, sending for {@link #seconds}; the
     * latency of each request. Also reports the CPU the API and this JVM (the load's client) spent while it ran,
     * from /proc: what a request costs the API, and so how many cores a rate would take where the client is
     * elsewhere.
     */
    private LatencyStats load(int connections, int port, long apiPid, Request request, String what) throws Exception {
        if (warmUp > 0) { // a server that has run a while: the JIT has compiled the request path
            run(connections, port, request, warmUp);
        }
        double api0 = ProcessCpu.seconds(apiPid).orElse(Double.NaN), client0 = ProcessCpu.seconds().orElse(Double.NaN);
        long t0 = System.nanoTime();
        LatencyStats measured = run(connections, port, request, seconds);
        double wall = secondsSince(t0);
        double api = ProcessCpu.seconds(apiPid).orElse(Double.NaN) - api0, client = ProcessCpu.seconds().orElse(Double.NaN) - client0;
        figure(what + " requests that failed to send", String.valueOf(failures.getAndSet(0)));
        if (!Double.isNaN(api) && measured.runs() > 0) {
            double perRequest = api / measured.runs();
            figure(what + ": CPU while measured", String.format(Locale.ROOT,
                    "the API %.2f cores (%.0f µs per request: 10,000/s would take %.1f cores of this machine), the load's client %.2f cores, of %d",
                    api / wall, 1e6 * perRequest, 10_000 * perRequest, client / wall, Runtime.getRuntime().availableProcessors()));
        }
        return measured;
    }

    private final AtomicLong failures = new AtomicLong();

    private LatencyStats run(int connections, int port, Request request, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        long until = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Future<List<Double>>> runs = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            runs.add(pool.submit(() -> {
                List<Double> latencies = new ArrayList<>();
                try (KeepAliveConnection connection = new KeepAliveConnection("127.0.0.1", port, gzip)) {
                    while (System.nanoTime() < until) {
                        long t = System.nanoTime();
                        try {
                            request.send(connection);
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                        latencies.add((System.nanoTime() - t) / 1e9);
                    }
                }
                return latencies;
            }));
        }
        List<Double> all = new ArrayList<>();
        for (Future<List<Double>> run : runs) {
            all.addAll(run.get());
        }
        pool.shutdown();
        return LatencyStats.of(all);
    }

    private static double p99(LatencyStats stats) {
        List<Double> sorted = new ArrayList<>(stats.seconds());
        Collections.sort(sorted);
        return LatencyStats.percentile(sorted, 99);
    }

    private static String metrics(int port) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long gauge(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " "))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    private static long sizeOf(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    private void figure(String what, String value) {
        figures.put(what, value);
        System.out.println("[store-bench] " + what + ": " + value);
    }

    private void target(String what, String measured, String target, boolean met) {
        targets.add(new String[] {what, measured, target, met ? "MET" : "NOT MET"});
        System.out.println("[store-bench] " + what + ": " + measured + " (target " + target + "): " + (met ? "MET" : "NOT MET"));
    }

    private void report() throws Exception {
        StringBuilder md = new StringBuilder("# The API's job store, " + String.format(Locale.ROOT, "%,d", jobs) + " jobs\n\n");
        md.append("| target | measured | goal | |\n| --- | --- | --- | --- |\n");
        for (String[] t : targets) {
            md.append("| ").append(String.join(" | ", t)).append(" |\n");
        }
        md.append("\n| figure | value |\n| --- | --- |\n");
        figures.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        Path out = Path.of(System.getProperty("flinkasr.bench.out", "target/bench"));
        Files.createDirectories(out);
        Files.writeString(out.resolve("store-benchmark.md"), md);
        System.out.println();
        System.out.println(md);
    }
}
