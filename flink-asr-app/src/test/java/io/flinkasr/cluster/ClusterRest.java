package io.flinkasr.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;

/**
 * A {@link FlinkProcessCluster}'s REST API: JSON GETs, job jars uploaded and run, the subtasks of a job,
 * the registered TaskManagers, and Flink's own {@link RestClusterClient} for what it does well (job
 * status, cancel). Requests go to the leading JobManager's endpoint as {@code leaderUrl} gives it at each
 * request (with HA: as ZooKeeper says, see {@link JobManagerElection}); the RestClusterClient finds the
 * leader by itself from the same configuration.
 */
final class ClusterRest implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<String> leaderUrl;
    private final Configuration config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private RestClusterClient<StandaloneClusterId> client;

    ClusterRest(Configuration config, Supplier<String> leaderUrl) {
        this.config = config;
        this.leaderUrl = leaderUrl;
    }

    /** The leading JobManager's REST URL; an IOException (asked again by {@code Await}) while there is none. */
    String url() throws IOException {
        String url = leaderUrl.get();
        if (url == null) {
            throw new IOException("no leading JobManager yet");
        }
        return url;
    }

    synchronized RestClusterClient<StandaloneClusterId> client() throws Exception {
        if (client == null) {
            client = new RestClusterClient<>(new Configuration(config), StandaloneClusterId.getInstance());
        }
        return client;
    }

    /** GET of a REST path, as JSON; an IOException unless 200. */
    JsonNode get(String path) throws IOException, InterruptedException {
        return get(url(), path);
    }

    /** GET of a REST path from the JobManager at {@code baseUrl}, leader or not. */
    JsonNode get(String baseUrl, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    /** See {@link FlinkProcessCluster#submitJar(Path, String, List, int, String)}. */
    JobID submitJar(Path jar, String entryClass, List<String> args, int parallelism, String savepointPath) throws Exception {
        String url = url(); // upload and run on the same JobManager: the jar is kept in its web upload folder
        String boundary = "flinkasr-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\n"
                        + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                        + "Content-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        JsonNode uploaded = send(HttpRequest.newBuilder(URI.create(url + "/jars/upload"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build());
        String jarId = Path.of(uploaded.path("filename").asText()).getFileName().toString();

        Map<String, Object> run = new LinkedHashMap<>();
        run.put("entryClass", entryClass);
        run.put("programArgsList", args);
        run.put("parallelism", parallelism);
        if (savepointPath != null) {
            run.put("savepointPath", savepointPath);
        }
        JsonNode started = send(HttpRequest.newBuilder(URI.create(url + "/jars/" + jarId + "/run"))
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(run)))
                .build());
        return JobID.fromHexString(started.path("jobid").asText());
    }

    /** TaskManagers registered at the ResourceManager ({@code GET /taskmanagers}). */
    int registeredTaskManagers() throws IOException, InterruptedException {
        return get("/taskmanagers").path("taskmanagers").size();
    }

    /** The job's state as {@code GET /jobs/:id} shows it (RUNNING, RESTARTING, ...). */
    String jobState(JobID id) throws IOException, InterruptedException {
        return get("/jobs/" + id).path("state").asText();
    }

    JobStatus jobStatus(JobID id) throws Exception {
        return client().getJobStatus(id).get(30, TimeUnit.SECONDS);
    }

    /** Every subtask of the job, vertex by vertex, with its status, attempt and TaskManager. */
    List<FlinkProcessCluster.Subtask> subtasks(JobID id) throws IOException, InterruptedException {
        List<FlinkProcessCluster.Subtask> subtasks = new ArrayList<>();
        for (JsonNode vertex : get("/jobs/" + id).path("vertices")) {
            JsonNode details = get("/jobs/" + id + "/vertices/" + vertex.path("id").asText());
            for (JsonNode s : details.path("subtasks")) {
                subtasks.add(new FlinkProcessCluster.Subtask(
                        vertex.path("name").asText(),
                        s.path("subtask").asInt(),
                        s.path("status").asText(),
                        s.path("attempt").asInt(),
                        s.path("taskmanager-id").asText()));
            }
        }
        return subtasks;
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(request.method() + " " + request.uri() + " → " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
