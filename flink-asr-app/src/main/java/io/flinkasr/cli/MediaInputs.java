package io.flinkasr.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The media files a {@code transcribe} run names, taken from the folder it runs in: a file as given, a
 * folder as the media files directly inside it (by extension, sorted by name; not its subfolders).
 * Anything else is a {@link CommandException} naming the path as typed and where that is.
 */
final class MediaInputs {
    /** The file extensions a folder's media files are picked by. */
    static final Set<String> EXTENSIONS = Set.of("mp3", "wav", "ogg", "oga", "opus", "flac", "m4a", "aac", "wma",
            "aiff", "aif", "amr", "mp4", "m4v", "mkv", "webm", "mov", "avi", "wmv", "mpg", "mpeg", "ts", "3gp");

    /** One input: as the user will recognise it ({@code shown}) and the real file. */
    record Input(String shown, Path file) {
        /** The file name without its extension: {@code clip} for {@code clip.mp4}. */
        String stem() {
            String name = file.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        }
    }

    private MediaInputs() {}

    static List<Input> of(List<String> typed) throws IOException {
        List<Input> inputs = new ArrayList<>();
        for (String name : typed) {
            Path path = Path.of(name);
            Path absolute = path.toAbsolutePath().normalize();
            if (Files.isDirectory(path)) {
                List<Path> media;
                try (Stream<Path> files = Files.list(path)) {
                    media = files.filter(Files::isRegularFile).filter(MediaInputs::isMedia).sorted().toList();
                }
                if (media.isEmpty()) {
                    throw new CommandException(CommandException.BAD_INPUT, "No media files in the folder " + name + " ("
                            + absolute + "); a folder's " + String.join(", ", EXTENSIONS.stream().sorted().toList())
                            + " files are transcribed");
                }
                for (Path file : media) {
                    inputs.add(new Input(path.resolve(file.getFileName()).toString(), file.toRealPath()));
                }
            } else if (!Files.exists(path)) {
                throw new CommandException(CommandException.BAD_INPUT, "No such file: " + name + " (" + absolute + ")");
            } else if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw new CommandException(CommandException.BAD_INPUT, "Cannot read " + name + " (" + absolute + ")");
            } else {
                inputs.add(new Input(name, path.toRealPath()));
            }
        }
        return inputs;
    }

    /**
     * Where each input's result goes in {@code outputDir}: {@code clip.vtt} for {@code clip.mp4}. Two
     * inputs that would write the same file are refused rather than one overwriting the other.
     */
    static Map<Input, Path> outputs(List<Input> inputs, Path outputDir, String extension) {
        Map<Input, Path> outputs = new HashMap<>();
        Map<Path, Input> writers = new HashMap<>();
        for (Input input : inputs) {
            Path out = outputDir.resolve(input.stem() + "." + extension);
            Input other = writers.putIfAbsent(out, input);
            if (other != null) {
                throw new CommandException(CommandException.BAD_INPUT, other.shown() + " and " + input.shown()
                        + " would both be written to " + out + "; rename one, or transcribe them into different --output-dir folders");
            }
            outputs.put(input, out);
        }
        return outputs;
    }

    private static boolean isMedia(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
