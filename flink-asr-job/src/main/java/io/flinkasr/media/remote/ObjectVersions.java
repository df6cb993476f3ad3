package io.flinkasr.media.remote;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The version (ETag or Last-Modified) of the object each staging file holds the start of, so that a
 * later step notices when the object changed in between and starts over instead of splicing two
 * versions. Kept in memory only: after a restart the first step takes the version it sees. Bounded: the
 * least recently used entries go first.
 */
final class ObjectVersions {
    private static final int MAX_ENTRIES = 4096;

    private final Map<Path, String> versions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, String> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    synchronized String get(Path target) {
        return versions.get(key(target));
    }

    synchronized void remember(Path target, String version) {
        if (version == null) {
            versions.remove(key(target));
        } else {
            versions.put(key(target), version);
        }
    }

    synchronized void forget(Path target) {
        versions.remove(key(target));
    }

    /** Whether a step's version contradicts the remembered one (both known and different). */
    synchronized boolean changed(Path target, String version) {
        String known = versions.get(key(target));
        return known != null && version != null && !known.equals(version);
    }

    private static Path key(Path target) {
        return target.toAbsolutePath().normalize();
    }
}
