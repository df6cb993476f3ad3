package io.flinkasr.media.remote;

import io.flinkasr.media.MediaException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adobe.testing.s3mock.S3MockApplication;
import io.flinkasr.config.AsrOptions;
import io.flinkasr.media.remote.RemoteMedia.FetchStep;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** s3:// and oss:// InputFiles against a real S3 server (Adobe's S3Mock, started in this JVM). */
class RemoteMediaS3Test {
    private static final int STEP = 64 * 1024;
    private static final String BUCKET = "media";
    private static final String KEY = "talks/2026/keynote (final).mp4";
    private static final byte[] TALK = randomBytes(300_000, 1);
    /** Tomcat logs through java.util.logging; held here so that the quieter level stays. */
    private static final Logger TOMCAT = Logger.getLogger("org.apache");

    @TempDir static Path storage;
    static S3MockApplication s3;
    static String endpoint;

    @TempDir Path dir;

    @BeforeAll
    static void startS3() throws Exception {
        TOMCAT.setLevel(Level.WARNING);
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none"); // keep our log4j2 setup
        Map<String, Object> properties = new HashMap<>();
        properties.put(S3MockApplication.PROP_HTTP_PORT, S3MockApplication.RANDOM_PORT);
        properties.put(S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT);
        properties.put(S3MockApplication.PROP_INITIAL_BUCKETS, BUCKET);
        properties.put(S3MockApplication.PROP_ROOT_DIRECTORY, storage.toString());
        properties.put(S3MockApplication.PROP_SILENT, true);
        properties.put("spring.main.banner-mode", "off");
        s3 = S3MockApplication.start(properties);
        endpoint = "http://127.0.0.1:" + s3.getHttpPort();
        MinioClient uploader = MinioClient.builder().endpoint(endpoint).credentials("uploader", "secret").build();
        upload(uploader, KEY, TALK);
        upload(uploader, "empty.mp4", new byte[0]);
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.stop();
        }
    }

    @Test
    void fetchesS3ObjectsInBoundedStepsByteForByte() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(store()))) {
            Path target = dir.resolve("s3.media");
            List<FetchStep> steps = fetchAll(media, "s3://" + BUCKET + "/" + KEY, target);

            assertThat(steps).hasSize(5);
            assertThat(steps.get(0)).isEqualTo(new FetchStep(STEP, false, TALK.length));
            assertThat(steps.get(4)).isEqualTo(new FetchStep(TALK.length, true, TALK.length));
            assertThat(Files.readAllBytes(target)).isEqualTo(TALK);
        }
    }

    @Test
    void fetchesOssObjectsFromTheConfiguredEndpoint() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(store()))) {
            Path target = dir.resolve("oss.media");
            List<FetchStep> steps = fetchAll(media, "OSS://" + BUCKET + "/" + KEY, target);

            assertThat(steps).hasSize(5);
            assertThat(Files.readAllBytes(target)).isEqualTo(TALK);
        }
    }

    @Test
    void fetchesOssObjectsFromAListedEndpointNamedInTheInput() throws Exception {
        Configuration config = new Configuration();
        config.set(AsrOptions.OSS_ENDPOINTS, List.of("oss-cn-shanghai.aliyuncs.com", endpoint));
        try (RemoteMedia media = new RemoteMedia(settings(config))) {
            String input = "oss://" + BUCKET + ".127.0.0.1:" + s3.getHttpPort() + "/" + KEY;
            media.check(input);
            Path target = dir.resolve("oss-endpoint.media");

            fetchAll(media, input, target);

            assertThat(Files.readAllBytes(target)).isEqualTo(TALK);
        }
    }

    @Test
    void refusesOssEndpointsTheOperatorDidNotList() throws Exception {
        Configuration config = store();
        config.set(AsrOptions.OSS_ENDPOINTS, List.of("oss-cn-shanghai.aliyuncs.com"));
        try (RemoteMedia media = new RemoteMedia(settings(config))) {
            for (String input : List.of(
                    "oss://" + BUCKET + ".oss-cn-hangzhou.aliyuncs.com/" + KEY,
                    "oss://" + BUCKET + ".169.254.169.254/" + KEY,
                    "oss://" + BUCKET + ".oss-cn-shanghai.aliyuncs.com:8080/" + KEY,
                    "oss://" + BUCKET + ".evil.example/" + KEY)) {
                assertCode(() -> media.check(input), "InputFile.AccessDenied");
                assertCode(() -> media.fetch(input, dir.resolve("refused.media"), 0, STEP), "InputFile.AccessDenied");
            }
            media.check("oss://" + BUCKET + ".oss-cn-shanghai.aliyuncs.com/" + KEY);
            media.check("oss://" + BUCKET + ".127.0.0.1:" + s3.getHttpPort() + "/" + KEY); // asr.media.s3.endpoint's host
        }
    }

    @Test
    void startsOverWhenTheObjectIsReplacedBetweenSteps() throws Exception {
        MinioClient uploader = MinioClient.builder().endpoint(endpoint).credentials("uploader", "secret").build();
        byte[] first = randomBytes(150_000, 3);
        byte[] second = randomBytes(140_000, 4);
        upload(uploader, "talks/replaced.mp4", first);
        try (RemoteMedia media = new RemoteMedia(settings(store()))) {
            Path target = dir.resolve("replaced.media");
            String input = "s3://" + BUCKET + "/talks/replaced.mp4";
            media.fetch(input, target, 0, STEP);
            upload(uploader, "talks/replaced.mp4", second);

            assertThat(media.fetch(input, target, STEP, STEP)).isEqualTo(new FetchStep(0, false, second.length));
            fetchAll(media, input, target);

            assertThat(Files.readAllBytes(target)).isEqualTo(second);
        }
    }

    @Test
    void saysNotFoundForAMissingKeyOrBucket() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(store()))) {
            assertCode(() -> media.fetch("s3://" + BUCKET + "/talks/missing.mp4", dir.resolve("a.media"), 0, STEP),
                    "InputFile.NotFound");
            assertCode(() -> media.fetch("oss://no-such-bucket/" + KEY, dir.resolve("b.media"), 0, STEP),
                    "InputFile.NotFound");
        }
    }

    @Test
    void resumesFromAPartialFile() throws Exception {
        Path target = dir.resolve("partial.media");
        Files.write(target, java.util.Arrays.copyOf(TALK, 100_000));
        try (RemoteMedia media = new RemoteMedia(settings(store()))) {
            FetchStep step = media.fetch("s3://" + BUCKET + "/" + KEY, target, 100_000, STEP);

            assertThat(step).isEqualTo(new FetchStep(100_000 + STEP, false, TALK.length));
            assertThat(Files.readAllBytes(target)).isEqualTo(java.util.Arrays.copyOf(TALK, 100_000 + STEP));
        }
    }

    @Test
    void completesAnEmptyObjectAndAWholeFile() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(store()))) {
            assertThat(media.fetch("s3://" + BUCKET + "/empty.mp4", dir.resolve("empty.media"), 0, STEP))
                    .isEqualTo(new FetchStep(0, true, 0));
            Path whole = dir.resolve("whole.media");
            Files.write(whole, TALK);
            assertThat(media.fetch("s3://" + BUCKET + "/" + KEY, whole, TALK.length, STEP))
                    .isEqualTo(new FetchStep(TALK.length, true, TALK.length));
        }
    }

    @Test
    void refusesObjectsOverTheLimit() throws Exception {
        Configuration config = store();
        config.set(AsrOptions.MEDIA_MAX_BYTES, MemorySize.parse("100kb"));
        try (RemoteMedia media = new RemoteMedia(settings(config))) {
            assertCode(() -> media.fetch("s3://" + BUCKET + "/" + KEY, dir.resolve("large.media"), 0, STEP),
                    "InputFile.TooLarge");
        }
    }

    @Test
    void refusesMalformedInputsAndAStoreThatIsNotConfigured() throws Exception {
        try (RemoteMedia media = new RemoteMedia(settings(store()))) {
            for (String input : List.of(
                    "s3://" + BUCKET, "s3://" + BUCKET + "/", "s3:///" + KEY, "oss://ak:sk@" + BUCKET + "/" + KEY,
                    "s3://Not_A_Bucket/" + KEY, "oss://" + BUCKET + "/a\nb.mp4")) {
                assertCode(() -> media.check(input), "InvalidParameter.InputFile");
            }
        }
        try (RemoteMedia unconfigured = new RemoteMedia(settings(new Configuration()))) {
            assertCode(() -> unconfigured.check("s3://" + BUCKET + "/" + KEY), "InvalidParameter.InputFile");
            assertCode(() -> unconfigured.fetch("oss://" + BUCKET + "/" + KEY, dir.resolve("c.media"), 0, STEP),
                    "InvalidParameter.InputFile");
        }
    }

    private static Configuration store() {
        Configuration config = new Configuration();
        config.set(AsrOptions.S3_ENDPOINT, endpoint);
        config.set(AsrOptions.S3_ACCESS_KEY, "reader");
        config.set(AsrOptions.S3_SECRET_KEY, "reader-secret");
        return config;
    }

    private static RemoteMediaSettings settings(Configuration config) {
        return RemoteMediaSettings.from(config);
    }

    private static List<FetchStep> fetchAll(RemoteMedia media, String input, Path target) throws MediaException {
        return Fetches.all(media, input, target, 0, STEP);
    }

    private static void upload(MinioClient client, String key, byte[] content) throws Exception {
        client.putObject(PutObjectArgs.builder().bucket(BUCKET).object(key)
                .stream(new ByteArrayInputStream(content), content.length, -1).build());
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String code) {
        assertThatThrownBy(call)
                .isInstanceOf(MediaException.class)
                .satisfies(e -> assertThat(((MediaException) e).code()).as(e.getMessage()).isEqualTo(code));
    }
}
