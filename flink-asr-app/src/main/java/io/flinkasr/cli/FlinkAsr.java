package io.flinkasr.cli;

import io.flinkasr.api.AccessKeys;
import io.flinkasr.workflow.JobSettings;
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
        int exit = commandLine().execute(args);
        if (exit != 0 || args.length == 0 || !keepsRunning(args[0])) {
            System.exit(exit);
        }
    }

    /** The command line, with a {@link CommandException} shown as one line on stderr instead of a stack trace. */
    public static CommandLine commandLine() {
        return oneLineErrors(new CommandLine(new FlinkAsr()));
    }

    /** Shows a {@link CommandException}, a bad setting or bad keys as one line on the command's stderr, returning its exit code. */
    static CommandLine oneLineErrors(CommandLine cli) {
        return CommandException.oneLineErrors(cli, JobSettings.InvalidSetting.class, AccessKeys.InvalidKeys.class);
    }

    private static boolean keepsRunning(String command) {
        return command.equals("local") || command.equals("api") || command.equals("callbacks") || command.equals("demo");
    }
}
