package io.flinkasr.cli;

import io.flinkasr.cli.ApiCommand;
import io.flinkasr.cli.BenchCommand;
import io.flinkasr.cli.DemoCommand;
import io.flinkasr.cli.JobCommand;
import io.flinkasr.cli.LocalCommand;
import io.flinkasr.cli.TranscribeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line of flink-asr.jar. */
@Command(
        name = "flink-asr",
        mixinStandardHelpOptions = true,
        version = "flink-asr 0.1.0",
        description = "Speech-recognition jobs with the Alibaba Cloud ICE API, on Apache Flink, Kafka and Vosk.",
        subcommands = {
            DemoCommand.class,
            LocalCommand.class,
            TranscribeCommand.class,
            ApiCommand.class,
            CallbacksCommand.class,
            JobCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class FlinkAsr {

    public static void main(String[] args) {
        int exit = new CommandLine(new FlinkAsr()).execute(args);
        if (exit != 0 || args.length == 0 || !keepsRunning(args[0])) {
            System.exit(exit);
        }
    }

    private static boolean keepsRunning(String command) {
        return command.equals("local") || command.equals("api") || command.equals("callbacks") || command.equals("demo");
    }
}
