package io.flinkasr.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.Deflater;

/** Job jars for {@link FlinkProcessCluster#submitJar}, built in the test from compiled test classes. */
public final class JobJars {
    private JobJars() {}

    /**
     * Writes {@code out}: every entry of {@code baseJar} (e.g. target/flink-asr-job.jar, for the Kafka
     * connector and the project's classes; null for none), plus the class files of {@code classes} and of
     * their nested and anonymous classes, taken from the test classes folder.
     */
    public static Path build(Path out, Path baseJar, Class<?>... classes) throws IOException {
        Set<String> written = new HashSet<>();
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (OutputStream file = Files.newOutputStream(out);
                JarOutputStream jar = baseJar == null ? new JarOutputStream(file, new Manifest())
                        : new JarOutputStream(file)) {
            jar.setLevel(Deflater.BEST_SPEED);
            if (baseJar != null) {
                try (JarInputStream in = new JarInputStream(Files.newInputStream(baseJar))) {
                    Manifest manifest = in.getManifest();
                    if (manifest != null) {
                        jar.putNextEntry(new JarEntry("META-INF/MANIFEST.MF"));
                        manifest.write(jar);
                        jar.closeEntry();
                        written.add("META-INF/MANIFEST.MF");
                    }
                    for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                        if (written.add(entry.getName())) {
                            jar.putNextEntry(new JarEntry(entry.getName()));
                            in.transferTo(jar);
                            jar.closeEntry();
                        }
                    }
                }
            }
            for (Class<?> type : classes) {
                Path folder = classFolder(type);
                String prefix = type.getName().replace('.', '/');
                Path dir = folder.resolve(prefix).getParent();
                String simple = folder.resolve(prefix).getFileName().toString();
                List<Path> files;
                try (Stream<Path> list = Files.list(dir)) {
                    files = list.filter(f -> {
                        String n = f.getFileName().toString();
                        return n.equals(simple + ".class") || (n.startsWith(simple + "$") && n.endsWith(".class"));
                    }).toList();
                }
                for (Path f : files) {
                    String name = folder.relativize(f).toString().replace('\\', '/');
                    if (written.add(name)) {
                        jar.putNextEntry(new JarEntry(name));
                        try (InputStream in = Files.newInputStream(f)) {
                            in.transferTo(jar);
                        }
                        jar.closeEntry();
                    }
                }
            }
        }
        return out;
    }

    private static Path classFolder(Class<?> type) {
        try {
            Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isDirectory(location)) {
                throw new IllegalArgumentException(type + " is not in a classes folder but in " + location);
            }
            return location;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
