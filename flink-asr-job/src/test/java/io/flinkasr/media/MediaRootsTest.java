package io.flinkasr.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaRootsTest {
    @TempDir Path dir;
    Path root;
    Path inside;
    Path outside;
    MediaRoots roots;

    @BeforeEach
    void files() throws Exception {
        root = Files.createDirectories(dir.resolve("media"));
        inside = Files.writeString(root.resolve("talk.wav"), "x");
        outside = Files.writeString(dir.resolve("secret.txt"), "x");
        roots = new MediaRoots(List.of(root.toString()));
    }

    @Test
    void resolvesPathsAndFileUrisInsideTheRoot() throws Exception {
        assertThat(roots.resolve(inside.toString())).isEqualTo(inside.toRealPath());
        assertThat(roots.resolve(inside.toUri().toString())).isEqualTo(inside.toRealPath());
    }

    @Test
    void refusesPathsThatClimbOut() {
        assertCode(root + "/../secret.txt", "InputFile.AccessDenied");
        assertCode(outside.toString(), "InputFile.AccessDenied");
        assertCode("/etc/passwd", "InputFile.AccessDenied");
    }

    @Test
    void refusesSymlinksThatLeadOut() throws Exception {
        Path link = Files.createSymbolicLink(root.resolve("link.wav"), outside);
        assertCode(link.toString(), "InputFile.AccessDenied");
    }

    /** The attack: a hard link inside the root to a file outside it passes every path check. */
    @Test
    void refusesHardLinksInsideTheRootToFilesOutsideIt() throws Exception {
        Path link = Files.createLink(root.resolve("linked.wav"), outside);
        assertCode(link.toString(), "InputFile.AccessDenied");
        assertThat(roots.resolve(inside.toString())).as("a file with one name is read").isEqualTo(inside.toRealPath());
    }

    @Test
    void saysNotFoundOnlyInsideTheRoot() {
        assertCode(root.resolve("missing.wav").toString(), "InputFile.NotFound");
        // outside the roots the answer does not reveal whether the file exists
        assertCode(dir.resolve("missing.wav").toString(), "InputFile.AccessDenied");
    }

    @Test
    void refusesRelativePathsAndFolders() {
        assertCode("talk.wav", "InvalidParameter.InputFile");
        assertCode(root.toString(), "InputFile.NotFound");
    }

    @Test
    void refusesSchemesThatAreNotFiles() {
        assertCode("ftp://host/talk.mp4", "InvalidParameter.InputFile");
    }

    private void assertCode(String input, String code) {
        assertThatThrownBy(() -> roots.resolve(input))
                .isInstanceOf(MediaException.class)
                .satisfies(e -> assertThat(((MediaException) e).code()).isEqualTo(code));
    }
}
