package io.flinkasr.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.Deflater;

/** Job jars for {@link FlinkProcessCluster#submitJar}, built in the test from compiled test classes. */
public final class JobJars {
    /** The job jar as operators get it: flink-asr-job.jar from the flink-asr-job module (built before the tests that use it). */
    public static final Path JOB_JAR = Path.of("flink-asr-job", "target", "flink-asr-job.jar");

    private JobJars() {}

    /**
     * Writes {@code out}: every entry of {@code baseJar} (e.g. {@link #JOB_JAR}, for the Kafka
     * connector and the project's classes; null for none), plus the class files of {@code classes} and of
     * their nested and anonymous classes, taken from the classes folder or jar each was loaded from (with
     * no base jar: a small jar for the cluster's class path, see {@link FlinkProcessCluster#start(Path, int,
     * int, Map, List)}).
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
                for (Map.Entry<String, byte[]> entry : classFiles(type).entrySet()) {
                    if (written.add(entry.getKey())) {
                        jar.putNextEntry(new JarEntry(entry.getKey()));
                        jar.write(entry.getValue());
                        jar.closeEntry();
                    }
                }
            }
        }
        return out;
    }

    /**
     * The class files of {@code type} and of its nested and anonymous classes, by jar entry name, from the
     * classes folder or the jar it was loaded from.
     */
    private static Map<String, byte[]> classFiles(Class<?> type) throws IOException {
        String prefix = type.getName().replace('.', '/');
        Predicate<String> wanted = name -> name.equals(prefix + ".class") || (name.startsWith(prefix + "$") && name.endsWith(".class"));
        Map<String, byte[]> files = new TreeMap<>();
        Path location;
        try {
            location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (Files.isDirectory(location)) {
            try (Stream<Path> list = Files.list(location.resolve(prefix).getParent())) {
                for (Path f : list.toList()) {
                    String name = location.relativize(f).toString().replace('\\', '/');
                    if (wanted.test(name)) {
                        files.put(name, Files.readAllBytes(f));
                    }
                }
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (JarEntry entry : Collections.list(jar.entries())) {
                    if (wanted.test(entry.getName())) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            files.put(entry.getName(), in.readAllBytes());
                        }
                    }
                }
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no class files of " + type + " in " + location);
        }
        return files;
    }
}
