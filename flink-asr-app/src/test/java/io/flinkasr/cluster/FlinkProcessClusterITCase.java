package io.flinkasr.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.cluster.FlinkProcessCluster.Subtask;
import io.flinkasr.local.EmbeddedKafka;
import io.flinkasr.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FlinkProcessCluster}: a JobManager and two TaskManagers (2 slots each) as separate JVMs run a
 * job from a job jar (flink-asr-job/target/flink-asr-job.jar plus {@link CountingJob}) at parallelism 4, so on both
 * TaskManagers. One TaskManager is SIGKILLed mid-run and a replacement started: the job runs again with
 * all subtasks, on the surviving and the new TaskManager, and its exactly-once Kafka output has every
 * count of every key exactly once.
 *
 * <p>Process logs: {@code <tmp>/cluster/logs/} (jobmanager.log, taskmanager-N.log; the test prints where);
 * the temporary folder is deleted only when the test passes.
 */
class FlinkProcessClusterITCase {
    private static final String TOPIC = "counts";
    private static final int KEYS = 8;
    private static final Path JOB_JAR = JobJars.JOB_JAR;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp; // kept (with the process logs) when the test fails

    /** As in flink-conf/config.yaml, with a checkpoint every second. */
    private static final Map<String, String> RESTARTS = Map.of(
            "execution.checkpointing.interval", "1 s",
            "restart-strategy.type", "exponential-delay",
            "restart-strategy.exponential-delay.initial-backoff", "1 s",
            "restart-strategy.exponential-delay.max-backoff", "1 min",
            "restart-strategy.exponential-delay.backoff-multiplier", "2.0",
            "restart-strategy.exponential-delay.jitter-factor", "0.1");

    @Test
    void aKilledTaskManagerIsReplacedAndTheJobRecoversExactlyOnce() throws Exception {
        theJobsClassesReachTheClusterOnlyThroughTheJobJar();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0)) {
            createTheTopic(kafka);
            Path jar = countingJobJar();
            long startCluster = System.nanoTime();
            try (FlinkProcessCluster cluster = FlinkProcessCluster.start(tmp.resolve("cluster"), 2, 2, RESTARTS);
                    Output output = new Output(kafka.bootstrapServers())) {
                System.out.printf("cluster up in %.1f s, REST %s, logs in %s%n",
                        seconds(startCluster), cluster.restUrl(), cluster.logDir());
                assertThat(cluster.registeredTaskManagers()).isEqualTo(2);

                JobID job = cluster.submitJar(jar, CountingJob.class.getName(), countingJobArgs(kafka, 200));
                List<Subtask> before = runsOnBothTaskManagers(cluster, job);
                output.await(Duration.ofMinutes(1), o -> o.total() >= 200); // committed (checkpointed) output is flowing
                long committedBeforeKill = output.total();

                recoversOnTheSurvivorAndAReplacementAfterASigkill(cluster, job, before, output);
                assertThat(output.total()).isGreaterThan(committedBeforeKill);

                cluster.client().cancel(job).get(1, TimeUnit.MINUTES);
                everyKeysCountsAreCommittedOnceAndInOrder(output);
            }
        }
    }

    @Test
    void theTaskManagersRegisterAgainWithARestartedJobManager() throws Exception {
        Path jar = countingJobJar();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0);
                FlinkProcessCluster cluster = FlinkProcessCluster.start(tmp.resolve("cluster"), 2, 1, Map.of())) {
            createTheTopic(kafka);
            List<String> args = countingJobArgs(kafka, 100);
            JobID first = cluster.submitJar(jar, CountingJob.class.getName(), args);
            cluster.awaitSubtasks(first, Duration.ofMinutes(2), FlinkProcessClusterITCase::allRunning);

            long kill = System.nanoTime();
            cluster.killJobManager();
            cluster.restartJobManager();
            double restUp = seconds(kill);
            cluster.awaitTaskManagers(2, Duration.ofMinutes(1));
            double registered = seconds(kill);
            System.out.printf("SIGKILL jobmanager -> restarted, REST answers after %.1f s, both TaskManagers "
                    + "registered again after %.1f s%n", restUp, registered);

            // without HA the job is gone; a new one runs on both TaskManagers
            JobID second = cluster.submitJar(jar, CountingJob.class.getName(), args);
            List<Subtask> subtasks = cluster.awaitSubtasks(second, Duration.ofMinutes(2), FlinkProcessClusterITCase::allRunning);
            assertThat(taskManagers(subtasks)).containsExactlyInAnyOrder("taskmanager-0", "taskmanager-1");
            cluster.client().cancel(second).get(1, TimeUnit.MINUTES);
        }
    }

    private static void theJobsClassesReachTheClusterOnlyThroughTheJobJar() throws Exception {
        assertThat(JOB_JAR).as("built by mvn package").exists();
        assertThat(ClusterClassPath.forCluster())
                .noneMatch(ClusterClassPath::isBuildOutput)
                .noneMatch(p -> p.toString().contains("flink-connector-kafka") || p.toString().contains("kafka-clients"));
    }

    private static void createTheTopic(EmbeddedKafka kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Optional.of(2), Optional.empty())))
                    .all().get(60, TimeUnit.SECONDS);
        }
    }

    /** flink-asr-job.jar plus {@link CountingJob}. */
    private Path countingJobJar() throws Exception {
        return JobJars.build(tmp.resolve("counting-job.jar"), JOB_JAR, CountingJob.class);
    }

    private static List<String> countingJobArgs(EmbeddedKafka kafka, int perSecond) {
        return List.of(kafka.bootstrapServers(), TOPIC, String.valueOf(KEYS), String.valueOf(perSecond));
    }

    private static List<Subtask> runsOnBothTaskManagers(FlinkProcessCluster cluster, JobID job) throws Exception {
        long submit = System.nanoTime();
        List<Subtask> before = cluster.awaitSubtasks(job, Duration.ofMinutes(2), FlinkProcessClusterITCase::allRunning);
        System.out.printf("job running after %.1f s: %s%n", seconds(submit), before);
        assertThat(before).hasSize(8); // 2 vertices (source | count -> sink) x parallelism 4
        assertThat(taskManagers(before)).containsExactlyInAnyOrder("taskmanager-0", "taskmanager-1");
        return before;
    }

    private static void recoversOnTheSurvivorAndAReplacementAfterASigkill(
            FlinkProcessCluster cluster, JobID job, List<Subtask> before, Output output) throws Exception {
        long kill = System.nanoTime();
        cluster.killTaskManager(0);
        int replacement = cluster.startTaskManager();
        // nothing commits while the job is down (at least the 5 s heartbeat timeout): read up to here
        output.drain(Duration.ofSeconds(1));
        Map<String, Long> highestAtKill = output.highest();
        int maxAttempt = before.stream().mapToInt(Subtask::attempt).max().orElseThrow();
        List<Subtask> after = cluster.awaitSubtasks(job, Duration.ofMinutes(2),
                s -> allRunning(s) && s.stream().allMatch(t -> t.attempt() > maxAttempt));
        double recovered = seconds(kill);
        output.await(Duration.ofMinutes(1), o -> o.beyond(highestAtKill));
        double flowing = seconds(kill);
        System.out.printf("SIGKILL taskmanager-0 -> all %d subtasks RUNNING again after %.1f s, new committed "
                        + "output after %.1f s: %s%n", after.size(), recovered, flowing, after);

        assertThat(replacement).isEqualTo(2);
        assertThat(taskManagers(after)).containsExactlyInAnyOrder("taskmanager-1", "taskmanager-2");
        assertThat(cluster.jobStatus(job)).isEqualTo(JobStatus.RUNNING);
        cluster.awaitTaskManagers(2, Duration.ofSeconds(30)); // the dead one timed out
    }

    private static void everyKeysCountsAreCommittedOnceAndInOrder(Output output) {
        output.drain(Duration.ofSeconds(3));
        Map<String, List<Long>> counts = output.counts();
        assertThat(counts).hasSize(KEYS);
        counts.forEach((key, values) -> {
            List<Long> expected = new ArrayList<>();
            for (long i = 1; i <= values.size(); i++) {
                expected.add(i);
            }
            assertThat(values).as("committed counts of key %s: each once, in order", key).isEqualTo(expected);
        });
        System.out.printf("exactly once: %d committed records, counts per key %s%n", output.total(),
                counts.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size(),
                        (a, b) -> a, TreeMap::new)));
    }

    private static boolean allRunning(List<Subtask> subtasks) {
        return subtasks.stream().allMatch(Subtask::running);
    }

    private static Set<String> taskManagers(List<Subtask> subtasks) {
        return subtasks.stream().map(Subtask::taskManagerId).collect(Collectors.toSet());
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /** The committed records of the output topic (read_committed), by key, in offset order. */
    private static final class Output implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final Map<String, List<Long>> counts = new TreeMap<>();
        private long total;

        Output(String bootstrapServers) {
            consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.GROUP_ID_CONFIG, "flink-process-cluster-itcase"),
                    new StringDeserializer(), new StringDeserializer());
            consumer.subscribe(List.of(TOPIC));
        }

        /** Reads until the committed output satisfies {@code condition}. */
        void await(Duration timeout, java.util.function.Predicate<Output> condition) throws Exception {
            Await.until("committed output as asked", timeout, Duration.ZERO, () -> {
                poll(Duration.ofMillis(100));
                return this;
            }, condition);
        }

        @Override
        public String toString() {
            return total + " committed records; highest count per key " + highest();
        }

        void drain(Duration quiet) {
            long last = total;
            long deadline = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < deadline) {
                poll(Duration.ofMillis(200));
                if (total != last) {
                    last = total;
                    deadline = System.nanoTime() + quiet.toNanos();
                }
            }
        }

        private void poll(Duration timeout) {
            for (ConsumerRecord<String, String> r : consumer.poll(timeout)) {
                String[] parts = r.value().split(",");
                assertThat(parts[0]).isEqualTo(r.key());
                counts.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Long.parseLong(parts[1]));
                total++;
            }
        }

        long total() {
            return total;
        }

        Map<String, List<Long>> counts() {
            return counts;
        }

        /** The highest committed count of each key so far. */
        Map<String, Long> highest() {
            Map<String, Long> highest = new TreeMap<>();
            counts.forEach((k, v) -> highest.put(k, v.stream().mapToLong(Long::longValue).max().orElse(0)));
            return highest;
        }

        /** Some key has a committed count beyond {@code highest}: new output since then. */
        boolean beyond(Map<String, Long> highest) {
            return highest().entrySet().stream().anyMatch(e -> e.getValue() > highest.getOrDefault(e.getKey(), 0L));
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
