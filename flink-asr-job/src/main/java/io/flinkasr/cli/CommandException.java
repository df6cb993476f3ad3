package io.flinkasr.cli;

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
}
