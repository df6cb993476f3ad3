package io.flinkasr.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A missing speech folder is one clear line naming it, not a NoSuchFileException deep in a test. */
class SpeechSetTest {
    @TempDir Path tmp;

    @Test
    void aMissingFolderFailsWithOneLineThatNamesItAndTheWayOut() {
        String before = System.getProperty(SpeechSet.PROPERTY);
        Path missing = tmp.resolve("no-speech-here");
        System.setProperty(SpeechSet.PROPERTY, missing.toString());
        try {
            AssertionError e = catchThrowableOfType(AssertionError.class, SpeechSet::dir);
            assertThat(e).as("refused").isNotNull();
            assertThat(e.getMessage()).contains(missing.toString()).contains("manifest.tsv").contains("-Dspeech.dir=DIR")
                    .doesNotContain("\n");
        } finally {
            if (before == null) {
                System.clearProperty(SpeechSet.PROPERTY);
            } else {
                System.setProperty(SpeechSet.PROPERTY, before);
            }
        }
    }
}
