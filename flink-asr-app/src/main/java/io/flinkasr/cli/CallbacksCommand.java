package io.flinkasr.cli;

import io.flinkasr.api.AccessKeys;
import io.flinkasr.callbacks.Callbacks;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code callbacks}: completion callbacks and the events topic in a process of their own, for deployments
 * that run the API with {@code asr.callbacks.enabled: false} (one process per deployment delivers).
 */
@Command(name = "callbacks", mixinStandardHelpOptions = true,
        description = "Deliver completion callbacks and write the events topic, against an existing Kafka cluster.")
public class CallbacksCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Mixin KafkaOption kafka;

    @Option(names = "--users", required = true, description = "Access-key file (the secrets that sign the callbacks).")
    Path users;

    @Override
    public Integer call() throws Exception {
        Configuration config = kafka.applyTo(options.load());
        Callbacks callbacks = Callbacks.start(config, AccessKeys.load(users), null);
        System.out.println("flink-asr callbacks ready");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                callbacks.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
