package io.flinkasr.cli;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.recognition.InCapitals;
import io.flinkasr.recognition.RecognizerFactory;
import io.flinkasr.workflow.AsrPipeline;
import io.flinkasr.workflow.JobSettings;
import io.flinkasr.workflow.JobTopics;
import io.flinkasr.workflow.KafkaEnds;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The main class of the upgrade test's second build of the job (flink-asr-job.jar plus this class and
 * {@link InCapitals}): the job as {@link JobMain} submits it (same arguments, same topology and operator
 * uids, the real Kafka source and sink, the real Vosk recognizer, the same job name), except that its
 * recognizer writes words in capitals, so that each segment shows which build recognised it.
 */
@Command(name = "next-build-job")
public final class NextBuildJob implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Mixin KafkaOption kafka;

    public static void main(String[] args) {
        int exit = CommandException.oneLineErrors(new CommandLine(new NextBuildJob()), JobSettings.InvalidSetting.class).execute(args);
        if (exit != 0) {
            throw new IllegalStateException("the next build of the job ended with exit code " + exit);
        }
    }

    @Override
    public Integer call() throws Exception {
        Configuration config = kafka.applyTo(options.load());
        JobSettings.check(config);
        JobTopics.ensureExist(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        RecognizerFactory vosk = RecognizerFactory.vosk(config.get(AsrOptions.MODEL_PATH), config.get(AsrOptions.RECOGNIZER_MODE));
        AsrPipeline.define(env, KafkaEnds.requests(config), KafkaEnds.states(config), new InCapitals(vosk), config);
        env.executeAsync("flink-asr");
        return 0;
    }
}
