package io.flinkasr.recognition;

import org.vosk.LibVosk;
import org.vosk.LogLevel;
import org.vosk.Model;

/**
 * One Vosk {@link Model} per JVM, shared by every slot that recognises: the model is large (about 220 MB
 * in memory) and read-only, so a TaskManager loads it once and keeps it for its lifetime, also while no
 * subtask uses it. Freeing it when the last subtask closed (as on every job restart) and loading it again
 * from the restarted subtask's new thread grew a surviving TaskManager by 85-160 MiB per restart: glibc
 * keeps the freed copy in the old thread's malloc arena ({@code ClusterCrashITCase} measured it). Kept, a
 * restart costs neither the memory nor the reload. This class must be loaded parent-first (from the
 * cluster's lib/ folder, as the Dockerfile and flink-conf do): from a job's own class loader, every
 * restart would hold a model of its own.
 */
public final class SharedVoskModel {
    private static Model model;
    private static String modelPath;

    private SharedVoskModel() {}

    public static synchronized Model acquire(String path) {
        if (model == null) {
            LibVosk.setLogLevel(LogLevel.WARNINGS);
            try {
                model = new Model(path);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot load the Vosk model from " + path, e);
            }
            modelPath = path;
        } else if (!modelPath.equals(path)) {
            throw new IllegalStateException(
                    "This JVM already holds the Vosk model " + modelPath + "; cannot also load " + path);
        }
        return model;
    }
}
