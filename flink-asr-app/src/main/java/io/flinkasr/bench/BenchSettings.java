package io.flinkasr.bench;

import io.flinkasr.config.AsrOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/**
 * What to benchmark and where to write it.
 *
 * @param speechDir the speech set: recordings and their manifest.tsv
 * @param outDir where the reports go (and a work folder with the inputs and the stacks' data)
 * @param threads raw Vosk's threads for the limit (and the naive way)
 * @param parallelisms the pipeline parallelisms to run the batch at, one local stack each; the single-file and
 *     latency phases run on the stack at {@link #mainParallelism()}
 * @param stackConfig flink-asr's and Flink's options for the local stacks; its asr.model.path is also raw Vosk's model
 * @param remote a deployment to measure instead of local stacks, or null
 */
public record BenchSettings(
        Path speechDir,
        Path outDir,
        int threads,
        List<Integer> parallelisms,
        boolean quick,
        Configuration stackConfig,
        RemoteDeployment remote) {

    public BenchSettings {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1");
        }
        parallelisms = parallelisms == null || parallelisms.isEmpty() ? List.of(threads) : List.copyOf(parallelisms);
        if (parallelisms.stream().anyMatch(p -> p < 1)) {
            throw new IllegalArgumentException("every --parallelism must be at least 1");
        }
        if (speechDir == null || !Files.isRegularFile(speechDir.resolve(SpeechManifest.FILE_NAME))) {
            throw new IllegalArgumentException("no speech set at " + speechDir + " (a folder with recordings and "
                    + SpeechManifest.FILE_NAME + "): pass --speech-dir");
        }
        String model = stackConfig.get(AsrOptions.MODEL_PATH);
        if (model == null || !Files.isDirectory(Path.of(model))) {
            throw new IllegalArgumentException("no Vosk model at " + model + ": build it with mvn package, or pass --model");
        }
    }

    public BenchPlan plan() {
        return quick ? BenchPlan.QUICK : BenchPlan.DEFAULT;
    }

    public String modelPath() {
        return stackConfig.get(AsrOptions.MODEL_PATH);
    }

    /** The parallelism of the stack that also runs the long file and the clips: --threads if listed, else the largest. */
    public int mainParallelism() {
        return parallelisms.contains(threads) ? threads : Collections.max(parallelisms);
    }

    /** The parallelisms in the order their stacks run: the main one last, so that it ends the run with the load. */
    public List<Integer> stackOrder() {
        List<Integer> order = new ArrayList<>(new java.util.LinkedHashSet<>(parallelisms));
        order.remove(Integer.valueOf(mainParallelism()));
        order.add(mainParallelism());
        return order;
    }
}
