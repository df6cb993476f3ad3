package io.flinkasr.cli;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.local.LocalStack;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code local}: the all-in-one stack, until interrupted. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run the whole stack in this JVM: embedded Kafka, the Flink job on a MiniCluster, the API.")
public class LocalCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Option(names = "--api-port", defaultValue = "8080", description = "Port of the API (default ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--data-dir", defaultValue = "flink-asr-data", description = "Where jobs, Kafka and checkpoints are kept (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--users", description = "Access-key file: JSON array of {userId, accessKeyId, accessKeySecret}.")
    Path users;

    @Override
    public Integer call() throws Exception {
        Configuration config = options.load();
        LocalStack stack = start(config, dataDir, apiPort, users);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    static LocalStack start(Configuration config, Path dataDir, int apiPort, Path users) throws Exception {
        LocalStack stack;
        try {
            stack = LocalStack.start(config, dataDir.toAbsolutePath(), apiPort, users, () -> System.err.println(
                    "Starting flink-asr (Kafka, Flink, API) with data in " + dataDir.toAbsolutePath() + " ..."));
        } catch (Exception e) {
            throw StartProblems.explained(e, "--api-port");
        }
        System.out.println("API:          " + stack.apiUrl() + "  (ICE actions, e.g. ?Action=SubmitASRJob&InputFile=...)");
        System.out.println("Job list:     " + stack.apiUrl() + "?Action=ListSmartJobs");
        System.out.println("Dashboard:    " + stack.dashboardUrl());
        System.out.println("Flink web UI: " + stack.webUi());
        if (stack.flinkMetricsUrl() != null) {
            System.out.println("Prometheus:   " + stack.apiUrl() + "metrics (API) and " + stack.flinkMetricsUrl() + " (Flink)");
        }
        System.out.println("Kafka:        " + stack.bootstrapServers());
        System.out.println("Access keys:  " + stack.usersFile());
        if (!config.contains(AsrOptions.API_HOST)) {
            System.out.println("Reachable:    from this machine only (-Dasr.api.host=0.0.0.0 opens the API to others, signed requests only)");
        }
        System.out.println("Media roots:  " + config.getOptional(AsrOptions.MEDIA_ROOTS).map(Object::toString).orElse("(none: pass --media-root DIR)"));
        System.out.println("flink-asr ready");
        System.out.flush();
        return stack;
    }
}
