package io.flinkasr.bench;

import io.flinkasr.api.AccessKey;
import java.nio.file.Path;

/**
 * A running flink-asr to benchmark instead of a local stack: its API, a key, and a media root it reads,
 * where the inputs are written and by whose paths they are submitted.
 */
public record RemoteDeployment(String apiUrl, AccessKey key, Path mediaDir) {
    public RemoteDeployment {
        if (apiUrl == null || apiUrl.isBlank()) {
            throw new IllegalArgumentException("the deployment's API address is missing");
        }
        if (key == null || key.accessKeyId == null || key.accessKeySecret == null) {
            throw new IllegalArgumentException("benchmarking a deployment needs --access-key-id and --access-key-secret");
        }
        if (mediaDir == null) {
            throw new IllegalArgumentException("benchmarking a deployment needs --media-dir: a media root it reads");
        }
    }
}
