package io.flinkasr.cli;

import io.flinkasr.api.ApiClient;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkasr.local.LocalStack;
import io.flinkasr.records.Json;
import io.flinkasr.records.Segment;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code demo}: the local stack, a bundled sample transcribed through the API, then the stack keeps running. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the local stack, transcribe a bundled sample through the API, print it, keep running.")
public class DemoCommand implements Callable<Integer> {
    static final String SAMPLE = "jfk.ogg";
    /** Time to open the dashboard before the sample is submitted (not with --exit). */
    static final java.time.Duration WATCH_DELAY = java.time.Duration.ofSeconds(10);

    @Mixin ConfigOptions options;

    @Option(names = "--api-port", defaultValue = "8080", description = "Port of the API (default ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--data-dir", defaultValue = "flink-asr-data", description = "Where jobs, Kafka and checkpoints are kept (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--exit", description = "Stop after the sample instead of keeping the stack running.")
    boolean exitAfter;

    @Override
    public Integer call() throws Exception {
        Path media = dataDir.toAbsolutePath().resolve("media");
        Files.createDirectories(media);
        Path sample = media.resolve(SAMPLE);
        try (InputStream in = DemoCommand.class.getResourceAsStream("/samples/" + SAMPLE)) {
            Files.copy(in, sample, StandardCopyOption.REPLACE_EXISTING);
        }
        if (options.mediaRoots == null) {
            options.mediaRoots = new java.util.ArrayList<>();
        }
        options.mediaRoots.add(media);
        Configuration config = options.load();
        LocalStack stack = LocalCommand.start(config, dataDir, apiPort, null);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }));

        ApiClient api = new ApiClient(stack.apiUrl(), stack.accessKey());
        System.out.println();
        System.out.println("Watch it live: " + stack.dashboardUrl() + "  (open it in a browser on this machine)");
        if (!exitAfter) {
            System.out.println("Submitting the sample in " + WATCH_DELAY.toSeconds() + " s ...");
            Thread.sleep(WATCH_DELAY.toMillis()); // time to open the page and see the job from its start
        }
        long started = System.nanoTime();
        JsonNode submitted = api.call("SubmitASRJob", Map.of("InputFile", sample.toString(), "Title", "demo: " + SAMPLE));
        String jobId = submitted.path("JobId").asText();
        System.out.println();
        System.out.println("Submitted " + sample + " as job " + jobId + " (State " + submitted.path("State").asText() + ")");
        JsonNode job;
        do {
            Thread.sleep(200);
            job = api.call("GetSmartHandleJob", Map.of("JobId", jobId));
        } while (!job.path("State").asText().equals("Finished") && !job.path("State").asText().equals("Failed"));
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "Job %s %s in %.1f s%n", jobId, job.path("State").asText(), seconds);
        if (job.path("State").asText().equals("Finished")) {
            for (Segment s : Json.MAPPER.readValue(job.path("JobResult").path("AiResult").asText(), Segment[].class)) {
                System.out.printf(Locale.ROOT, "  [%7.2f - %7.2f] %s%n", s.from, s.to, s.content);
            }
        } else {
            System.out.println("  " + job.path("ErrorCode").asText() + ": " + job.path("ErrorMessage").asText());
        }
        System.out.println();
        System.out.println("Look at it:   curl '" + stack.apiUrl() + "?Action=GetSmartHandleJob&JobId=" + jobId + "'");
        System.out.println("Your own:     curl '" + stack.apiUrl() + "?Action=SubmitASRJob&InputFile=" + media + "/<file>'  (copy it into " + media + ")");
        if (exitAfter) {
            stack.close();
            return job.path("State").asText().equals("Finished") ? 0 : 1;
        }
        System.out.println("Running; Ctrl-C stops it.");
        stopped.await();
        return 0;
    }
}
