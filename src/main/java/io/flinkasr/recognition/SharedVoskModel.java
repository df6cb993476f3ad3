package io.flinkasr.recognition;

import org.vosk.LibVosk;
import org.vosk.LogLevel;
import org.vosk.Model;

/**
 * One Vosk {@link Model} per JVM, shared by every slot that recognises: the model is large (about 220 MB
 * in memory) and read-only, so a TaskManager loads it once. Reference-counted: the last release frees it.
 */
public final class SharedVoskModel {
    private static Model model;
    private static String modelPath;
    private static int users;

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
        users++;
        return model;
    }

    public static synchronized void release() {
        if (users > 0 && --users == 0) {
            model.close();
            model = null;
            modelPath = null;
        }
    }
}
