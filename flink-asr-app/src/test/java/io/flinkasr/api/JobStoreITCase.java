package io.flinkasr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.EmbeddedKafka;
import io.flinkasr.records.JobState;
import io.flinkasr.records.JobStatus;
import io.flinkasr.testing.Await;
import io.flinkasr.workflow.JobTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's job store against a real (embedded KRaft) broker, the API served over HTTP and asked with
 * signed requests: a restart on the same store folder resumes from the offsets it stored instead of
 * reading the topics again, and every job still answers its latest state; results past asr.job.retention
 * are tombstoned on the topics and vanish from a second replica too. The states the Flink job would write
 * are written by the test (no pipeline is needed to show what the API does with them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobStoreITCase {
    private static final AccessKey KEY = new AccessKey(1234562230123456L, "LTAIstoreTenant", "secretOfTheStoreTenant");

    @TempDir static Path tmp;
    private EmbeddedKafka kafka;
    private TopicRecords topics;

    @BeforeAll
    void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
        topics = new TopicRecords(kafka.bootstrapServers());
    }

    @AfterAll
    void stop() {
        if (topics != null) {
            topics.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aSubmitWaitingForAGoneBrokerHoldsNoRequestSlot() throws Exception {
        EmbeddedKafka own = EmbeddedKafka.start(tmp.resolve("kafka-gone"), 0);
        Configuration config = new Configuration();
        config.set(AsrOptions.BOOTSTRAP_SERVERS, own.bootstrapServers());
        config.set(AsrOptions.API_STORE_DIR, tmp.resolve("store-gone").toString());
        config.set(AsrOptions.DASHBOARD_ENABLED, false);
        config.set(AsrOptions.API_CONCURRENT_REQUESTS, 1); // one slot: a submit holding it would hold every read
        config.set(AsrOptions.API_READ_TIMEOUT, Duration.ofSeconds(3)); // the longest a request waits for the slot
        JobTopics.ensureExist(config);
        boolean gone = false;
        try (Replica replica = Replica.start(config)) {
            String known = replica.submit("https://example.com/a.wav");
            own.close(); // the broker is gone: a submit now waits up to its send timeout for an acknowledgement
            gone = true;

            java.util.concurrent.CompletableFuture<ApiClient.Answer> submit = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return replica.call("SubmitASRJob", "InputFile", "https://example.com/b.wav");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // while the submit waits (for the read barrier's answer from the broker, then for the acknowledgement of
            // its write), reads come from the store: each answered, none ServiceUnavailable after 3 s in line
            int reads = 0;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
            while (!submit.isDone() && System.nanoTime() < deadline) {
                assertThat(replica.state(known)).as("read %d while the submit waits", reads).isEqualTo("Created");
                reads++;
                Thread.sleep(200);
            }
            assertThat(reads).as("reads while the submit waited").isGreaterThan(20);
            ApiClient.Answer refused = submit.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(refused.status()).as("%s", refused.body()).isEqualTo(503);
            assertThat(refused.body().path("Code").asText()).isEqualTo("ServiceUnavailable");
        } finally {
            if (!gone) {
                own.close();
            }
        }
    }

    /** The settings of one replica, its topics prefixed by the test so that tests do not see each other's jobs. */
    private Configuration replica(String topicPrefix, Path storeDir, Duration retention) throws Exception {
        Configuration config = new Configuration();
        config.set(AsrOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        config.set(AsrOptions.REQUESTS_TOPIC, topicPrefix + "-requests");
        config.set(AsrOptions.STATES_TOPIC, topicPrefix + "-states");
        config.set(AsrOptions.ASSETS_TOPIC, topicPrefix + "-assets");
        config.set(AsrOptions.CALLBACKS_TOPIC, topicPrefix + "-callbacks");
        config.set(AsrOptions.EVENTS_TOPIC, topicPrefix + "-events");
        config.set(AsrOptions.API_STORE_DIR, storeDir.toString());
        config.set(AsrOptions.JOB_RETENTION, retention);
        config.set(AsrOptions.DASHBOARD_ENABLED, false);
        JobTopics.ensureExist(config);
        return config;
    }

    /** A Catalog and the API over it, on a free port. */
    private record Replica(Catalog catalog, ApiServer server, ApiClient client) implements AutoCloseable {
        static Replica start(Configuration config) throws Exception {
            Catalog catalog = new Catalog(config);
            assertThat(catalog.awaitCaughtUp(Duration.ofMinutes(1))).as("caught up").isTrue();
            ApiServer server = new ApiServer(config, catalog, new AccessKeys(List.of(KEY))).start("127.0.0.1", 0);
            return new Replica(catalog, server, new ApiClient("http://127.0.0.1:" + server.port(), KEY));
        }

        ApiClient.Answer call(String action, String... params) throws Exception {
            Map<String, String> map = new LinkedHashMap<>();
            for (int i = 0; i < params.length; i += 2) {
                map.put(params[i], params[i + 1]);
            }
            return client.send(action, map);
        }

        String submit(String inputFile) throws Exception {
            ApiClient.Answer a = call("SubmitASRJob", "InputFile", inputFile);
            assertThat(a.status()).as("%s", a.body()).isEqualTo(200);
            return a.body().path("JobId").asText();
        }

        String state(String jobId) throws Exception {
            ApiClient.Answer a = call("GetSmartHandleJob", "JobId", jobId);
            return a.status() == 200 ? a.body().path("State").asText() : a.body().path("Code").asText();
        }

        @Override
        public void close() throws Exception {
            server.close();
            catalog.close();
        }
    }

    @Test
    void aRestartResumesFromTheStoredOffsetsAndEveryJobAnswersItsLatestState() throws Exception {
        Configuration config = replica("restart", tmp.resolve("restart-store"), Duration.ofDays(30));
        Map<String, String> latest = new LinkedHashMap<>();
        try (Replica api = Replica.start(config)) {
            for (int i = 0; i < 20; i++) {
                String jobId = api.submit("/media/talk-" + i + ".mp3");
                latest.put(jobId, "Created");
            }
            int i = 0;
            for (String jobId : latest.keySet()) {
                JobStatus created = api.catalog().find(jobId);
                JobState state = i % 4 == 0 ? JobState.Failed : i % 4 == 1 ? JobState.Executing : JobState.Finished;
                topics.state("restart-states", created, state, System.currentTimeMillis());
                latest.put(jobId, state.name());
                i++;
            }
            Await.until("the API shows every state written", Duration.ofMinutes(1), Duration.ofMillis(100),
                    () -> allAnswer(api, latest));
            assertThat(api.catalog().recordsRead()).as("the first start reads every record").isEqualTo(40);
        }
        long endsBefore = topics.ends(List.of("restart-requests", "restart-states"));

        try (Replica again = Replica.start(config)) {
            assertThat(again.catalog().recordsRead()).as("nothing read again after a restart").isZero();
            assertThat(storedOffsets(again.catalog(), "restart-requests", "restart-states"))
                    .as("the stored offsets are the topics' ends").isEqualTo(endsBefore).isEqualTo(40);
            for (Map.Entry<String, String> job : latest.entrySet()) {
                assertThat(again.state(job.getKey())).as(job.getKey()).isEqualTo(job.getValue());
            }
            JsonNode failed = again.call("ListSmartJobs", "JobState", "Failed", "MaxResults", "100").body();
            assertThat(failed.path("TotalCount").asInt()).as("counts kept in the store").isEqualTo(5);
            assertThat(again.catalog().count(JobState.Executing)).isEqualTo(5);
        }

        String executing = latest.entrySet().stream().filter(e -> e.getValue().equals("Executing")).findFirst().orElseThrow().getKey();
        try (Replica once = Replica.start(config)) {
            topics.state("restart-states", once.catalog().find(executing), JobState.Finished, System.currentTimeMillis());
            Await.until("the new state", Duration.ofMinutes(1), Duration.ofMillis(100), () -> once.state(executing).equals("Finished"));
            assertThat(once.catalog().recordsRead()).as("only the record written since").isEqualTo(1);
        }
    }

    @Test
    void unreadableRecordsOnEveryTopicAreSkippedAndTheJobsAroundThemAnswer() throws Exception {
        Configuration config = replica("unreadable", tmp.resolve("unreadable-store"), Duration.ofDays(30));
        byte[][] garbage = {"{not json".getBytes(), "[1,2".getBytes(), "{\"jobId\":{\"a\":1}}".getBytes(), new byte[] {0, (byte) 0xff, 7}};
        for (String topic : List.of("requests", "states", "assets", "callbacks")) {
            for (byte[] value : garbage) {
                topics.raw("unreadable-" + topic, "k-" + topic, value);
            }
        }
        try (Replica api = Replica.start(config)) { // the garbage read with the first poll, records side by side
            assertThat(api.catalog().reading()).as("the reader survived the records written before its start").isTrue();
            String jobId = api.submit("/media/after-the-garbage.mp3");
            for (String topic : List.of("states", "assets", "requests", "callbacks")) {
                for (byte[] value : garbage) {
                    topics.raw("unreadable-" + topic, "k-" + topic, value);
                }
            }
            topics.state("unreadable-states", api.catalog().find(jobId), JobState.Finished, System.currentTimeMillis());
            Await.until("a state written after more garbage", Duration.ofMinutes(1), Duration.ofMillis(100),
                    () -> api.state(jobId).equals("Finished"));
            assertThat(api.catalog().reading()).isTrue();
        }
    }

    /** The store's offsets summed over the topics' partitions (a partition never read counts 0). */
    private static long storedOffsets(Catalog catalog, String... topicNames) {
        long sum = 0;
        for (String topic : topicNames) {
            for (int p = 0; p < AsrOptions.TOPIC_PARTITIONS.defaultValue(); p++) {
                sum += Math.max(0, catalog.offset(topic, p));
            }
        }
        return sum;
    }

    private static boolean allAnswer(Replica api, Map<String, String> latest) throws Exception {
        for (Map.Entry<String, String> job : latest.entrySet()) {
            if (!api.state(job.getKey()).equals(job.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Test
    void expiredResultsAreTombstonedAndVanishFromEveryReplica() throws Exception {
        // A sweeps with a 2 s retention; B keeps results for 30 days: B loses them only by reading A's tombstones
        Configuration a = replica("expiry", tmp.resolve("expiry-a"), Duration.ofSeconds(2));
        Configuration b = replica("expiry", tmp.resolve("expiry-b"), Duration.ofDays(30));
        try (Replica sweeping = Replica.start(a); Replica other = Replica.start(b)) {
            String ended = sweeping.submit("/media/ended.mp3");
            String running = sweeping.submit("/media/running.mp3");
            String mediaId = sweeping.call("RegisterMediaInfo", "InputURL", "https://media.example/expiring.mp3").body().path("MediaId").asText();
            assertThat(other.state(ended)).as("read-your-writes on the other replica").isEqualTo("Created");
            topics.state("expiry-states", sweeping.catalog().find(ended), JobState.Finished, System.currentTimeMillis());
            topics.state("expiry-states", sweeping.catalog().find(running), JobState.Executing, System.currentTimeMillis());

            for (Replica replica : List.of(sweeping, other)) {
                Await.until("the ended job gone", Duration.ofMinutes(1), Duration.ofMillis(200),
                        () -> replica.state(ended).equals("InvalidParameter.JobId"));
                Await.until("the media asset gone", Duration.ofMinutes(1), Duration.ofMillis(200),
                        () -> replica.call("GetMediaInfo", "MediaId", mediaId).body().path("Code").asText().equals("InvalidParameter.MediaId"));
                assertThat(replica.state(running)).as("a job that has not ended stays").isEqualTo("Executing");
                assertThat(replica.call("ListSmartJobs").body().path("TotalCount").asInt()).isEqualTo(1);
            }
            for (String topic : List.of("expiry-requests", "expiry-states")) {
                Map<String, byte[]> records = topics.latest(topic);
                assertThat(records).as(topic).containsKey(ended);
                assertThat(records.get(ended)).as("a tombstone on " + topic).isNull();
                assertThat(records.get(running)).as(topic).isNotNull();
            }
            Map<String, byte[]> assets = topics.latest("expiry-assets");
            assertThat(assets).containsKey(mediaId);
            assertThat(assets.get(mediaId)).as("a tombstone on the assets topic").isNull();
        }
        // a replica built from scratch later reads the tombstones too
        try (Replica fresh = Replica.start(replica("expiry", tmp.resolve("expiry-c"), Duration.ofDays(30)))) {
            assertThat(fresh.catalog().count(JobState.Finished)).isZero();
            assertThat(fresh.catalog().count(JobState.Executing)).isEqualTo(1);
        }
    }
}
