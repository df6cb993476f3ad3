package io.flinkasr.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.cluster.ShellScript;
import io.flinkasr.config.AsrOptions;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment scripts as processes, without a cluster (ClusterUpgradeITCase runs submit-job.sh and
 * flink-asr-deploy.sh against one): the image's entrypoint with the environment the compose file and the
 * Dockerfile give it, and what flink-asr-deploy.sh prints for an operator, held against the files it must
 * agree with (flink-conf/config.yaml, the topics of {@link AsrOptions}).
 */
class DeployScriptsTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    @TempDir Path tmp;
    private Path log;

    @BeforeEach
    void logFile() {
        log = tmp.resolve("scripts.log");
    }

    /**
     * deploy/flink-entrypoint.sh as the jobmanager and taskmanager services start it: the mounted conf folder
     * (./flink-conf) copied over the image's conf/, then Flink's own entrypoint exec'd in its place (same
     * process, so it gets the container's signals) with the command and the environment unchanged.
     */
    @Test
    void theEntrypointCopiesTheMountedConfigAndExecsFlinksEntrypoint() throws Exception {
        for (String service : List.of("jobmanager", "taskmanager-1")) {
            Path flinkHome = Files.createDirectories(tmp.resolve(service).resolve("flink"));
            Files.createDirectories(flinkHome.resolve("conf"));
            Files.writeString(flinkHome.resolve("conf").resolve("config.yaml"), "# the image's stock config\n");
            Files.writeString(flinkHome.resolve("conf").resolve("log4j-console.properties"), "# the image's\n");
            Path stub = standInForFlinksEntrypoint(tmp.resolve(service));

            Map<String, String> environment = new LinkedHashMap<>(imageEnvironment());
            environment.putAll(composeEnvironment(service));
            environment.put("FLINK_HOME", flinkHome.toString());
            environment.put("FLINK_ASR_CONF_DIR", Path.of("flink-conf").toAbsolutePath().toString());
            environment.put("FLINK_DOCKER_ENTRYPOINT", stub.toString());
            String command = composeCommand(service);
            ShellScript.Run run = ShellScript.run(ShellScript.deploy("flink-entrypoint.sh"), List.of(command), environment,
                    log, TIMEOUT);

            assertThat(run.exitCode()).as("%s", run).isZero();
            Map<String, String> seen = run.results();
            assertThat(seen.get("args")).as("what Flink's entrypoint was given").isEqualTo(command);
            assertThat(seen.get("parent-pid")).as("exec'd in the script's own process, a child of this JVM")
                    .isEqualTo(String.valueOf(ProcessHandle.current().pid()));
            assertThat(seen.get("env.JOB_MANAGER_RPC_ADDRESS")).isEqualTo("jobmanager");
            // Flink's entrypoint preloads jemalloc unless DISABLE_JEMALLOC=true: Vosk decodes faster with it
            assertThat(seen.get("env.DISABLE_JEMALLOC")).as("jemalloc left on").isEmpty();
            assertThat(seen.get("env.MALLOC_ARENA_MAX")).isEqualTo("2");
            assertThat(seen.get("env.LD_PRELOAD")).as("nothing preloaded before Flink's entrypoint").isEmpty();
            assertThat(Files.readString(flinkHome.resolve("conf").resolve("config.yaml")))
                    .as("conf/config.yaml when Flink's entrypoint starts")
                    .isEqualTo(Files.readString(Path.of("flink-conf", "config.yaml")));
            assertThat(seen.get("conf")).as("what conf/ held").isEqualTo("config.yaml log4j-console.properties");
        }
    }

    /** Without a mounted conf folder the image's own files stay, and Flink's entrypoint still starts. */
    @Test
    void theEntrypointWithoutAMountedConfigKeepsTheImagesOwn() throws Exception {
        Path flinkHome = Files.createDirectories(tmp.resolve("flink").resolve("conf")).getParent();
        Files.writeString(flinkHome.resolve("conf").resolve("config.yaml"), "# the image's stock config\n");
        Map<String, String> environment = Map.of(
                "FLINK_HOME", flinkHome.toString(),
                "FLINK_ASR_CONF_DIR", tmp.resolve("not-mounted").toString(),
                "FLINK_DOCKER_ENTRYPOINT", standInForFlinksEntrypoint(tmp).toString());

        ShellScript.Run run = ShellScript.run(ShellScript.deploy("flink-entrypoint.sh"), List.of("help"), environment, log, TIMEOUT);

        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.result("args")).isEqualTo("help");
        assertThat(Files.readString(flinkHome.resolve("conf").resolve("config.yaml"))).isEqualTo("# the image's stock config\n");
    }

    /**
     * What `flink-asr-deploy.sh config` tells an operator to set is what the compose cluster runs with:
     * each key it prints has the same value in flink-conf/config.yaml (folders aside, which differ by site).
     */
    @Test
    void theConfigKeysTheScriptPrintsAreThoseOfTheComposeCluster() throws Exception {
        ShellScript.Run run = deploy("config");
        assertThat(run.exitCode()).as("%s", run).isZero();
        Map<String, String> printed = new LinkedHashMap<>();
        for (String line : run.stdout().split("\n")) {
            if (!line.startsWith("#") && line.contains(": ")) {
                printed.put(line.substring(0, line.indexOf(": ")), line.substring(line.indexOf(": ") + 2));
            }
        }
        Map<String, String> compose = flatten(flinkConf());
        assertThat(printed).containsKeys("classloader.parent-first-patterns.additional", "web.submit.enable",
                "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "metrics.reporter.prom.port");
        for (Map.Entry<String, String> key : printed.entrySet()) {
            assertThat(compose).as("flink-conf/config.yaml").containsKey(key.getKey());
            if (!key.getKey().endsWith("-dir") && !key.getKey().endsWith(".dir")) {
                assertThat(compose.get(key.getKey()).replaceAll("[\\[\\] ]", "").replace(',', ';'))
                        .as("%s in flink-conf/config.yaml", key.getKey()).isEqualTo(key.getValue());
            }
        }
    }

    /** The topics `flink-asr-deploy.sh topics` creates are the job's (the defaults of AsrOptions), as the job creates them. */
    @Test
    void theTopicsTheScriptCreatesAreTheJobs() throws Exception {
        ShellScript.Run run = deploy("topics", "--bootstrap-servers", "kafka-1:9092,kafka-2:9092", "--replication-factor", "3",
                "--min-insync-replicas", "2", "--print");
        assertThat(run.exitCode()).as("%s", run).isZero();
        Map<String, String> commands = new LinkedHashMap<>();
        for (String line : run.stdout().strip().split("\n")) {
            Matcher m = Pattern.compile("--topic (\\S+)").matcher(line);
            assertThat(m.find()).as(line).isTrue();
            commands.put(m.group(1), line);
        }
        assertThat(commands.keySet()).containsExactlyInAnyOrder(AsrOptions.REQUESTS_TOPIC.defaultValue(),
                AsrOptions.STATES_TOPIC.defaultValue(), AsrOptions.ASSETS_TOPIC.defaultValue(),
                AsrOptions.CALLBACKS_TOPIC.defaultValue(), AsrOptions.EVENTS_TOPIC.defaultValue());
        assertThat(commands.values()).allSatisfy(c -> assertThat(c)
                .startsWith("kafka-topics.sh --bootstrap-server kafka-1:9092,kafka-2:9092 --create --if-not-exists")
                .contains("--partitions " + AsrOptions.TOPIC_PARTITIONS.defaultValue(), "--replication-factor 3",
                        "--config min.insync.replicas=2"));
        for (String keyed : List.of(AsrOptions.REQUESTS_TOPIC.defaultValue(), AsrOptions.STATES_TOPIC.defaultValue(),
                AsrOptions.ASSETS_TOPIC.defaultValue())) {
            assertThat(commands.get(keyed)).contains("--config cleanup.policy=compact", "--config max.message.bytes=16777216");
        }
        assertThat(commands.get(AsrOptions.CALLBACKS_TOPIC.defaultValue())).contains("--config cleanup.policy=compact");
        assertThat(commands.get(AsrOptions.EVENTS_TOPIC.defaultValue())).doesNotContain("cleanup.policy");
    }

    /** Mistakes an operator makes end in one line on stderr and exit 1, before anything is changed. */
    @Test
    void mistakesEndInOneLine() throws Exception {
        ShellScript.Run noRest = deploy("submit", "--jar", "flink-asr-job.jar");
        assertThat(noRest.exitCode()).isEqualTo(1);
        assertThat(noRest.stderr().strip()).isEqualTo(
                "flink-asr-deploy: --rest URL is required (the JobManager's REST endpoint, e.g. http://jobmanager:8081)");

        ShellScript.Run nobodyThere = deploy("upgrade", "--rest", "http://127.0.0.1:9", "--jar", "x.jar");
        assertThat(nobodyThere.exitCode()).isEqualTo(1);
        assertThat(nobodyThere.stderr().lines().filter(l -> l.startsWith("flink-asr-deploy: ")).toList())
                .containsExactly("flink-asr-deploy: GET http://127.0.0.1:9/jobs failed (is the JobManager's REST endpoint right?)");

        ShellScript.Run unknown = deploy("deploy");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr()).contains("flink-asr-deploy: unknown subcommand deploy");
        assertThat(unknown.stderr()).as("the usage").contains("flink-asr-deploy.sh upgrade --rest URL");
    }

    // ---------------------------------------------------------------------------------------------

    private ShellScript.Run deploy(String... args) throws Exception {
        return ShellScript.run(ShellScript.deploy("flink-asr-deploy.sh"), List.of(args), Map.of(), log, TIMEOUT);
    }

    /**
     * A stand-in for the Flink image's /docker-entrypoint.sh: prints, as name=value lines, its arguments, its
     * parent's process id (the test JVM's if the script exec'd it, the script's if it ran it as a child), the
     * environment the image's entrypoint passes on, and what conf/ holds.
     */
    private static Path standInForFlinksEntrypoint(Path dir) throws Exception {
        Path stub = dir.resolve("docker-entrypoint.sh");
        Files.createDirectories(dir);
        Files.writeString(stub, String.join("\n",
                "#!/usr/bin/env bash",
                "echo \"args=$*\"",
                "echo \"parent-pid=$PPID\"",
                "for v in JOB_MANAGER_RPC_ADDRESS DISABLE_JEMALLOC MALLOC_ARENA_MAX LD_PRELOAD; do echo \"env.$v=${!v:-}\"; done",
                "echo \"conf=$(ls \"$FLINK_HOME/conf\" | tr '\\n' ' ' | sed 's/ $//')\"",
                ""));
        stub.toFile().setExecutable(true);
        return stub;
    }

    /** The Dockerfile's ENV lines of the runtime image (the last stage). */
    private static Map<String, String> imageEnvironment() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        int lastStage = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("FROM ")) {
                lastStage = i;
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : lines.subList(lastStage, lines.size())) {
            Matcher m = Pattern.compile("^ENV (\\w+)=(\\S+)$").matcher(line.strip());
            if (m.matches()) {
                env.put(m.group(1), m.group(2));
            }
        }
        assertThat(env).as("the Dockerfile's ENV").containsKey("MALLOC_ARENA_MAX").doesNotContainKey("DISABLE_JEMALLOC");
        return env;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> composeService(String service) throws Exception {
        try (Reader in = Files.newBufferedReader(Path.of("docker-compose.yml"))) {
            Map<String, Object> compose = new Yaml().load(in);
            return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(service);
        }
    }

    /** The service's environment in docker-compose.yml (merge keys resolved). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> composeEnvironment(String service) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        ((Map<String, Object>) composeService(service).get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));
        return env;
    }

    private static String composeCommand(String service) throws Exception {
        return String.valueOf(composeService(service).get("command"));
    }

    private static Map<String, Object> flinkConf() throws Exception {
        try (Reader in = Files.newBufferedReader(Path.of("flink-conf", "config.yaml"))) {
            return new Yaml().load(in);
        }
    }

    /** Nested YAML maps as Flink's flat keys (a.b.c: value). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> flatten(Map<String, Object> yaml) {
        Map<String, String> flat = new LinkedHashMap<>();
        yaml.forEach((key, value) -> {
            if (value instanceof Map<?, ?> nested) {
                flatten((Map<String, Object>) nested).forEach((k, v) -> flat.put(key + "." + k, v));
            } else if (value instanceof List<?> list) {
                flat.put(key, String.join(";", list.stream().map(String::valueOf).toList()));
            } else {
                flat.put(key, String.valueOf(value));
            }
        });
        return flat;
    }
}
