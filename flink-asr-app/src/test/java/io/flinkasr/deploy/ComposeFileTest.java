package io.flinkasr.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as an operator receives it: valid against the Compose Specification (Debian's
 * docker-compose 1.29 cannot judge it), and trustworthy by default (nothing published beyond this host,
 * no default password, the example key file not mounted as the keys).
 */
class ComposeFileTest {
    private static JsonNode compose;

    @BeforeAll
    static void read() throws Exception {
        // SnakeYAML resolves anchors, aliases and merge keys (<<) as Compose does; Jackson's YAML tree does not
        try (Reader in = Files.newBufferedReader(Path.of("docker-compose.yml"))) {
            compose = new ObjectMapper().valueToTree(new Yaml().load(in));
        }
    }

    @Test
    void isValidAgainstTheComposeSpecification() throws Exception {
        JsonNode schemaNode;
        try (InputStream in = ComposeFileTest.class.getResourceAsStream("/compose-spec/compose-spec.json")) {
            schemaNode = new ObjectMapper().readTree(in);
        }
        // draft 7, named by an https address the validator would fetch; a relative $id it refuses
        ((ObjectNode) schemaNode).remove("$schema");
        ((ObjectNode) schemaNode).put("$id", "https://compose-spec.io/compose_spec.json");
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schemaNode);

        Set<ValidationMessage> errors = schema.validate(compose);

        assertThat(errors).as("docker-compose.yml against the Compose Specification").isEmpty();
        JsonNode broken = compose.deepCopy();
        ((ObjectNode) broken.get("services").get("kafka")).put("restart_policy", "always");
        assertThat(schema.validate(broken)).as("the schema check itself rejects an unknown service key").isNotEmpty();
    }

    @Test
    void theApisJvmOptionsAreOnesAJava17JvmTakes() throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (JsonNode argument : compose.get("services").get("api").get("command")) {
            if (argument.asText().equals("-jar")) {
                break;
            }
            command.add(argument.asText());
        }
        assertThat(command).as("the API's JVM options").contains("-XX:TrimNativeHeapInterval=10000");
        command.add("-version");
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(jvm.waitFor()).as("%s\n%s", command, output).isZero();
        assertThat(output).as("a JVM that only warns about an option ignores it").doesNotContainIgnoringCase("warning");
    }

    @Test
    void publishesPortsOnThisHostOnlyUnlessTheOperatorOptsIn() {
        List<String> published = new ArrayList<>();
        for (Map.Entry<String, JsonNode> service : compose.get("services").properties()) {
            for (JsonNode port : service.getValue().path("ports")) {
                String binding = port.isTextual() ? port.asText() : port.path("host_ip").asText("") + ":" + port.path("published").asText();
                published.add(service.getKey() + " " + binding);
                assertThat(binding)
                        .as("%s publishes %s", service.getKey(), binding)
                        .matches("(127\\.0\\.0\\.1|\\$\\{[A-Z_]+:-127\\.0\\.0\\.1\\}):.*");
            }
        }
        assertThat(published).as("the API, Flink's web UI, Prometheus and Grafana are reachable from this host").hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void grafanaHasNoDefaultPasswordAndTheApiNoExampleKeys() {
        JsonNode grafana = compose.get("services").get("grafana").get("environment");
        assertThat(grafana.get("GF_SECURITY_ADMIN_PASSWORD").asText()).startsWith("${GRAFANA_ADMIN_PASSWORD:?");
        assertThat(compose.toString()).doesNotContain("users.example.json:");
    }
}
