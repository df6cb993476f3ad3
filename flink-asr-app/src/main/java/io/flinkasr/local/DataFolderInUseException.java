package io.flinkasr.local;

import java.nio.file.Path;

/** Another local stack (this process or another) already runs on the data folder. */
public final class DataFolderInUseException extends RuntimeException {
    private final Path dataDir;

    DataFolderInUseException(Path dataDir, String ownerPid) {
        super("the data folder " + dataDir.toAbsolutePath() + " is in use by another flink-asr"
                + (ownerPid == null ? "" : " (process " + ownerPid + ")"));
        this.dataDir = dataDir;
    }

    public Path dataDir() {
        return dataDir;
    }
}
