package io.flinkasr.cli;

import io.flinkasr.api.PortInUseException;
import io.flinkasr.local.DataFolderInUseException;
import org.apache.flink.util.ExceptionUtils;

/** What keeps a command from starting, said in one line with the option that fixes it. */
final class StartProblems {
    private StartProblems() {}

    /**
     * A {@link CommandException} for a busy port, a data folder in use or Kafka out of reach, naming
     * {@code portOption} (the command's own option for the API port); any other exception as it is.
     */
    static Exception explained(Exception e, String portOption) {
        var port = ExceptionUtils.findThrowable(e, PortInUseException.class);
        if (port.isPresent()) {
            return new CommandException(CommandException.UNAVAILABLE, "port " + port.get().port() + " is in use; choose another with "
                    + (port.get().tls() ? "-Dasr.api.tls.port=N" : portOption + " (0 picks a free one)"));
        }
        var folder = ExceptionUtils.findThrowable(e, DataFolderInUseException.class);
        if (folder.isPresent()) {
            return new CommandException(CommandException.UNAVAILABLE, folder.get().getMessage()
                    + "; stop that one first, or choose another folder with --data-dir");
        }
        return KafkaOption.explained(e);
    }
}
