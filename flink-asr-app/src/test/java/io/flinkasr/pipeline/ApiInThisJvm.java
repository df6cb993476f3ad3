package io.flinkasr.pipeline;

import io.flinkasr.api.AccessKeys;
import io.flinkasr.api.ApiServer;
import io.flinkasr.api.Catalog;
import io.flinkasr.config.AsrOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * The API in the test JVM, beside a cluster of processes: on the topics {@code asr} names, answering unsigned
 * requests from loopback, its job table caught up with the topics before {@link #start} returns.
 */
final class ApiInThisJvm implements AutoCloseable {
    private static final Duration CATCH_UP = Duration.ofMinutes(2);

    private final Catalog catalog;
    private final ApiServer server;
    private final AsrApi api;

    private ApiInThisJvm(Catalog catalog, ApiServer server) {
        this.catalog = catalog;
        this.server = server;
        this.api = new AsrApi("http://127.0.0.1:" + server.port());
    }

    /** Starts it on a free port with the users of {@code usersFile} (created when missing). */
    static ApiInThisJvm start(Configuration asr, Path usersFile) throws Exception {
        Configuration apiConfig = new Configuration(asr);
        apiConfig.set(AsrOptions.UNSIGNED_FROM_LOOPBACK, true);
        Catalog catalog = new Catalog(asr);
        ApiServer server = null;
        try {
            server = new ApiServer(apiConfig, catalog, AccessKeys.create(usersFile)).start("127.0.0.1", 0);
            if (!catalog.awaitCaughtUp(CATCH_UP)) {
                throw new AssertionError("the API's job table did not catch up with the topics within " + CATCH_UP);
            }
            return new ApiInThisJvm(catalog, server);
        } catch (Exception | Error e) {
            if (server != null) {
                server.close();
            }
            catalog.close();
            throw e;
        }
    }

    AsrApi api() {
        return api;
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
        catalog.close();
    }
}
