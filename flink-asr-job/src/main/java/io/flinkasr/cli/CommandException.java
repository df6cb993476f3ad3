package io.flinkasr.cli;

import picocli.CommandLine;

/**
 * A mistake or a condition the user can fix (a missing file, a busy port, Kafka out of reach): the
 * command line prints its message as one line, without a stack trace, and exits with {@link #exitCode}.
 */
public final class CommandException extends RuntimeException {
    /** The exit code for input the command cannot take (as picocli's usage errors). */
    public static final int BAD_INPUT = 2;
    /** The exit code for a condition outside the command (a busy port, an unreachable broker, a locked folder). */
    public static final int UNAVAILABLE = 1;

    private final int exitCode;

    public CommandException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /**
     * Shows a CommandException, and any of the {@code mistakes} (exceptions whose message says what to fix), as
     * one line on the command's stderr instead of a stack trace, returning its exit code.
     */
    @SafeVarargs
    static CommandLine oneLineErrors(CommandLine cli, Class<? extends Exception>... mistakes) {
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof CommandException problem) {
                command.getErr().println("flink-asr " + command.getCommandName() + ": " + problem.getMessage());
                command.getErr().flush();
                return problem.exitCode();
            }
            for (Class<? extends Exception> mistake : mistakes) {
                if (mistake.isInstance(e)) {
                    command.getErr().println("flink-asr " + command.getCommandName() + ": " + e.getMessage());
                    command.getErr().flush();
                    return BAD_INPUT;
                }
            }
            throw e;
        });
        return cli;
    }
}
