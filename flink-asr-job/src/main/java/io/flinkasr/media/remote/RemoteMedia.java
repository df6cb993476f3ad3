package io.flinkasr.media.remote;

import io.flinkasr.media.MediaException;

import io.flinkasr.records.JobRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import okhttp3.Dns;
import org.slf4j.LoggerFactory;

/**
 * Fetches a remote InputFile (oss://, s3://, http://, https://) into a local staging file, a bounded
 * number of bytes per call, so that an operator can fetch a large object across many timer callbacks
 * without blocking for the whole of it, and resume after a restart from what the file holds.
 *
 * <p>http(s) inputs may reach public addresses on the allowed ports only, unless the operator allow-lists
 * an address block (see {@link AddressPolicy}, {@link HttpSource}); s3:// and oss:// inputs are read through
 * the S3 API from the configured endpoint, or from an OSS endpoint the operator listed (see
 * {@link BucketSource}). Every problem is a {@link MediaException} with the code the job ends with:
 * InvalidParameter.InputFile (malformed, bad scheme, credentials in the URL), InputFile.AccessDenied
 * (refused by policy, or by the server), InputFile.NotFound, InputFile.TooLarge, InputFile.Timeout,
 * InputFile.Unreachable. Messages never name a path, host, key or secret.
 *
 * <p>Thread-safe; one instance per operator is enough. Close it to release connections and threads.
 */
public final class RemoteMedia implements AutoCloseable {
    private static final Pattern REMOTE = Pattern.compile("(?i)(oss|s3|https?)://.*", Pattern.DOTALL);
    private static final Pattern HTTP = Pattern.compile("(?i)https?://.*", Pattern.DOTALL);

    /**
     * How a step left the staging file.
     *
     * @param bytes how many bytes of the object the staging file holds now (its length)
     * @param complete whether it holds the whole object
     * @param totalBytes the object's size, -1 where not known yet
     */
    public record FetchStep(long bytes, boolean complete, long totalBytes) {}

    private final HttpSource http;
    private final BucketSource buckets;

    public RemoteMedia(RemoteMediaSettings settings) {
        this(settings, Dns.SYSTEM);
    }

    /** With another name resolver (tests); every address it gives is still checked against the policy. */
    RemoteMedia(RemoteMediaSettings settings, Dns resolver) {
        ObjectTransfer transfer = new ObjectTransfer(new ObjectVersions(), settings.maxBytes());
        this.http = new HttpSource(settings, resolver, transfer);
        this.buckets = new BucketSource(settings, transfer);
    }

    /** oss://, s3://, http://, https:// (case-insensitive scheme). */
    public static boolean isRemote(String inputFile) {
        return inputFile != null && REMOTE.matcher(inputFile).matches();
    }

    /**
     * Checks the InputFile's form and policy without fetching (for the API at submit time). An http(s)
     * host name is resolved and refused where none of its addresses may be reached; one that does not
     * resolve passes, and the fetch decides.
     */
    public void check(String inputFile) throws MediaException {
        if (!isRemote(inputFile)) {
            throw FetchFailure.invalid("A remote InputFile starts with oss://, s3://, http:// or https://.");
        }
        if (HTTP.matcher(inputFile).matches()) {
            http.check(inputFile);
        } else {
            buckets.locate(inputFile);
        }
    }

    /**
     * Appends up to {@code maxBytes} of the object, starting at byte {@code from} (the staging file's
     * current length), to {@code target}. Resumable after a restart: call it with {@code from} = the
     * existing file's length, or 0 where the file is missing (it is created, with its folders). Where the
     * file is longer than {@code from} the rest is cut off; where it is shorter, the fetch goes on from its
     * end. Where the object changed since the file's first bytes were fetched (another ETag), the file is
     * emptied and the fetch starts over ({@code bytes} goes back to 0 or to what this step fetched).
     *
     * <p>One call takes at most about {@code asr.media.fetch.call-timeout}; bytes that arrived by then,
     * or before a connection broke, are kept and reported, and the next call goes on from there. A call
     * that gets no byte within the read timeout fails with InputFile.Timeout.
     */
    public FetchStep fetch(String inputFile, Path target, long from, long maxBytes) throws MediaException {
        if (target == null || from < 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("fetch needs a target, from >= 0 and maxBytes > 0");
        }
        if (!isRemote(inputFile)) {
            throw FetchFailure.invalid("A remote InputFile starts with oss://, s3://, http:// or https://.");
        }
        return HTTP.matcher(inputFile).matches()
                ? http.fetch(inputFile, target, from, maxBytes)
                : buckets.fetch(inputFile, target, from, maxBytes);
    }

    /**
     * Where the remote media of a job is staged: one file per job in the staging folder. The chunker fetches
     * it there and the recognisers decode their windows from it, so on a cluster the folder must be storage
     * every TaskManager shares.
     */
    public static Path stagedCopy(Path stagingDir, String jobId) {
        return stagingDir.resolve(fileName(jobId) + ".media");
    }

    /** A JobId (or chunk id) as a file name in the staging and attempts folders. */
    public static String fileName(String jobId) {
        return jobId.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** Deletes the staged copy of a job's remote media, if it has one (when the job has ended). */
    public static void release(Path stagingDir, JobRequest request) {
        if (request != null && isRemote(request.source())) {
            try {
                Files.deleteIfExists(stagedCopy(stagingDir, request.jobId));
            } catch (IOException e) {
                LoggerFactory.getLogger(RemoteMedia.class).warn("Could not delete the staged media of job {}", request.jobId, e);
            }
        }
    }

    @Override
    public void close() {
        http.close();
        buckets.close();
    }
}
