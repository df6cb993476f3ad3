package io.flinkasr.cluster;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The class paths of the processes the tests start. A {@link FlinkProcessCluster} gets the test JVM's class
 * path without this project's own classes and jars ({@link #isBuildOutput}), without test jars
 * ({@code *-tests.jar}) and without the Kafka connector and the Kafka artifacts: roughly a Flink
 * distribution's lib/ folder plus unrelated libraries, so that the job's own code and its Kafka client come
 * from the job jar, through Flink's user-code class loader, as on a real cluster. (If the cluster had
 * flink-connector-kafka, which Flink loads parent-first, while the job jar brought kafka-clients, loaded
 * child-first, the connector and the job would see two different copies of the Kafka classes.) A
 * {@link JavaProcess} gets the whole test class path.
 */
final class ClusterClassPath {
    private ClusterClassPath() {}

    /** The test JVM's class path without this project's build output, test jars, the Kafka connector and Kafka. */
    static List<Path> forCluster() throws IOException {
        List<Path> result = new ArrayList<>();
        for (Path entry : ofTests()) {
            String s = entry.toString().replace(File.separatorChar, '/');
            boolean excluded = isBuildOutput(entry)
                    || s.endsWith("-tests.jar")
                    || s.contains("/org/apache/kafka/")
                    || s.contains("/org/apache/flink/flink-connector-kafka/");
            if (!excluded && Files.exists(entry)) {
                result.add(entry);
            }
        }
        return result;
    }

    /**
     * Whether a class path entry is this project's own: in a module's {@code target} folder (the tests run in
     * the repository's root, one folder above the modules) or one of its artifacts in the local Maven repository.
     */
    static boolean isBuildOutput(Path entry) {
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        Path path = entry.toAbsolutePath().normalize();
        if (path.startsWith(root) && path.getNameCount() > root.getNameCount() + 1) {
            return path.getName(root.getNameCount() + 1).toString().equals("target");
        }
        return path.toString().replace(File.separatorChar, '/').contains("/io/flinkasr/");
    }

    /** The test JVM's whole class path (expanding a surefire/failsafe manifest-only jar). */
    static List<Path> ofTests() throws IOException {
        List<Path> entries = new ArrayList<>();
        for (String s : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!s.isEmpty()) {
                entries.add(Path.of(s).toAbsolutePath().normalize());
            }
        }
        if (entries.size() == 1 && entries.get(0).toString().endsWith(".jar")) {
            // surefire/failsafe's manifest-only jar: the real class path is its Class-Path attribute
            try (JarFile jar = new JarFile(entries.get(0).toFile())) {
                Manifest manifest = jar.getManifest();
                String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                if (classPath != null && !classPath.isBlank()) {
                    URI base = entries.get(0).toUri();
                    List<Path> expanded = new ArrayList<>();
                    for (String url : classPath.trim().split("\\s+")) {
                        expanded.add(Path.of(base.resolve(url)).normalize());
                    }
                    return expanded;
                }
            }
        }
        return entries;
    }

    /** A JVM @argfile with {@code -cp} and these entries. */
    static void writeArgFile(Path argFile, List<Path> entries) throws IOException {
        List<String> paths = entries.stream().map(p -> p.toAbsolutePath().toString()).toList();
        Files.createDirectories(argFile.toAbsolutePath().getParent());
        Files.writeString(argFile, "-cp \"" + String.join(File.pathSeparator, paths) + "\"\n");
    }
}
