package io.flinkasr.media;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The folders that {@code file://} and plain-path inputs may be read from. An input is resolved to its
 * real path (symlinks followed, {@code ..} removed) and must lie inside one of the roots' real paths.
 */
public final class MediaRoots {
    /** The roots as configured (absolute, normalised) and as real paths (a root may be a symlink). */
    private final List<Path> declared;
    private final List<Path> roots;

    public MediaRoots(List<String> roots) {
        List<Path> declared = new ArrayList<>();
        List<Path> real = new ArrayList<>();
        for (String root : roots) {
            Path p = Path.of(root).toAbsolutePath().normalize();
            declared.add(p);
            try {
                real.add(p.toRealPath());
            } catch (IOException e) {
                real.add(p);
            }
        }
        this.declared = List.copyOf(declared);
        this.roots = List.copyOf(real);
    }

    /** Whether the input names a local file (file:// or a plain path) rather than a remote source. */
    public static boolean isLocal(String inputFile) {
        return inputFile.startsWith("file:") || !inputFile.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    }

    /**
     * The real path of a local input, if it exists and lies under a root.
     *
     * <p>The path is first checked as written (normalised), before the file system is touched, so that
     * the answer for a path outside the roots does not tell whether such a file exists; then its real
     * path is checked again, so that a symlink inside a root cannot lead out of it.
     *
     * @throws MediaException InputFile.AccessDenied outside the roots or unreadable, InputFile.NotFound if
     *     there is no such file, InvalidParameter.InputFile if it is not an absolute path or file URI.
     */
    public Path resolve(String inputFile) throws MediaException {
        if (!isLocal(inputFile)) {
            throw new MediaException("InvalidParameter.InputFile",
                    "The InputFile must be a local path, file://, oss://, s3://, http:// or https:// URL.");
        }
        Path path;
        try {
            path = inputFile.startsWith("file:") ? Path.of(URI.create(inputFile)) : Path.of(inputFile);
        } catch (RuntimeException e) {
            throw new MediaException("InvalidParameter.InputFile", "The InputFile is not a valid file URI or path.");
        }
        if (!path.isAbsolute()) {
            throw new MediaException("InvalidParameter.InputFile", "A local InputFile must be an absolute path.");
        }
        Path written = path.normalize();
        if (declared.stream().noneMatch(written::startsWith) && !insideRoots(written)) {
            throw outside();
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw notFound();
        }
        if (!insideRoots(real)) {
            throw outside();
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw notFound();
        }
        if (!Files.isReadable(real)) {
            throw new MediaException("InputFile.AccessDenied", "The InputFile cannot be read.");
        }
        if (hardLinks(real) > 1) {
            // a hard link is the same file under another name: one made inside a root to a file outside it
            // would pass every path check, so a file with more than one name is not read
            throw new MediaException("InputFile.AccessDenied",
                    "The InputFile has more than one hard link; copy it into the media root instead of linking it.");
        }
        return real;
    }

    private static int hardLinks(Path file) {
        try {
            return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return 1; // not a POSIX file system: no hard links to judge
        } catch (IOException e) {
            return Integer.MAX_VALUE;
        }
    }

    private boolean insideRoots(Path path) {
        return roots.stream().anyMatch(path::startsWith);
    }

    private static MediaException outside() {
        return new MediaException(
                "InputFile.AccessDenied", "The InputFile lies outside the media roots this service may read.");
    }

    private static MediaException notFound() {
        return new MediaException("InputFile.NotFound", "The InputFile does not exist.");
    }
}
