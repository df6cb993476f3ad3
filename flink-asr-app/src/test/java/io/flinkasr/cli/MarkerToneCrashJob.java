package io.flinkasr.cli;

import io.flinkasr.config.AsrOptions;
import io.flinkasr.recognition.CrashOnMarkerTone;
import io.flinkasr.recognition.RecognizerFactory;
import io.flinkasr.workflow.AsrPipeline;
import io.flinkasr.workflow.JobTopics;
import io.flinkasr.workflow.KafkaEnds;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The main class of the crash tests' job jar: flink-asr's job as {@link JobMain} submits it (same arguments,
 * the real Kafka source and sink, the real Vosk recognizer), except that recognition goes through
 * {@link CrashOnMarkerTone}, which halts the TaskManager on a chunk that starts with the marker tone.
 */
@Command(name = "marker-tone-crash-job")
public final class MarkerToneCrashJob implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Option(names = "--bootstrap-servers")
    String bootstrapServers;

    public static void main(String[] args) {
        int exit = new CommandLine(new MarkerToneCrashJob()).execute(args);
        if (exit != 0) {
            throw new IllegalStateException("the marker-tone crash job ended with exit code " + exit);
        }
    }

    @Override
    public Integer call() throws Exception {
        Configuration config = options.load();
        if (bootstrapServers != null) {
            config.set(AsrOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        JobTopics.ensureExist(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        RecognizerFactory vosk = RecognizerFactory.vosk(config.get(AsrOptions.MODEL_PATH), config.get(AsrOptions.RECOGNIZER_MODE));
        AsrPipeline.define(env, KafkaEnds.requests(config), KafkaEnds.states(config), new CrashOnMarkerTone(vosk), config);
        env.executeAsync("flink-asr, crashing on the marker tone");
        return 0;
    }
}
