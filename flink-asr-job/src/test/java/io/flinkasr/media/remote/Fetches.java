package io.flinkasr.media.remote;

import io.flinkasr.media.MediaException;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkasr.media.remote.RemoteMedia.FetchStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Fetches a remote input to the end, as ChunkMedia does, checking that every step stays within its bound. */
final class Fetches {
    private Fetches() {}

    static List<FetchStep> all(RemoteMedia media, String input, Path target, long from, long step) throws MediaException {
        List<FetchStep> steps = new ArrayList<>();
        long bytes = from;
        for (int i = 0; i < 100; i++) {
            FetchStep fetched = media.fetch(input, target, bytes, step);
            assertThat(fetched.bytes()).isLessThanOrEqualTo(bytes + step);
            steps.add(fetched);
            bytes = fetched.bytes();
            if (fetched.complete()) {
                return steps;
            }
        }
        throw new AssertionError("not complete after 100 steps");
    }
}
