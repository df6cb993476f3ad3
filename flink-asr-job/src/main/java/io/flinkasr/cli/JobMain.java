package io.flinkasr.cli;

import io.flinkasr.workflow.JobSettings;
import picocli.CommandLine;

/**
 * The main class of {@code flink-asr-job.jar}, for a Flink cluster: {@code job} of flink-asr's command line
 * ({@link JobCommand}: creates the topics, defines the pipeline, submits it) without
 * {@code FlinkAsr.main} (in flink-asr.jar)'s {@code System.exit}, which would end the JobManager: a jar run through the REST
 * API ({@code /jars/:id/run}) runs its main method inside the JobManager's JVM.
 *
 * <p>Arguments: those of {@code flink-asr job} ({@code --bootstrap-servers}, {@code --model},
 * {@code --media-root}, {@code -Dkey=value}).
 */
public final class JobMain {
    private JobMain() {}

    public static void main(String[] args) {
        int exit = CommandException.oneLineErrors(new CommandLine(new JobCommand()), JobSettings.InvalidSetting.class).execute(args);
        if (exit != 0) {
            throw new IllegalStateException("flink-asr job ended with exit code " + exit);
        }
    }
}
