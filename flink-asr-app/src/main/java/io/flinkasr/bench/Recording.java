package io.flinkasr.bench;

import java.nio.file.Path;

/** One real recording of the speech set: its file, its length in seconds and what is said in it. */
public record Recording(Path file, double seconds, String transcript) {

    public String name() {
        return file.getFileName().toString();
    }
}
