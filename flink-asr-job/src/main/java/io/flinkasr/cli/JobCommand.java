package io.flinkasr.cli;

import io.flinkasr.workflow.JobSettings;
import io.flinkasr.workflow.JobTopics;
import io.flinkasr.workflow.AsrPipeline;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code job}: the Flink job on its own, for {@code flink run} on a real cluster. */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Submit the Flink job (use with flink run).")
public class JobCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Mixin KafkaOption kafka;

    @Override
    public Integer call() throws Exception {
        Configuration config = kafka.applyTo(options.load());
        JobSettings.check(config);
        try {
            JobTopics.ensureExist(config);
        } catch (Exception e) {
            throw KafkaOption.explained(e);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        AsrPipeline.defineWithKafka(env, config);
        env.executeAsync("flink-asr");
        return 0;
    }
}
