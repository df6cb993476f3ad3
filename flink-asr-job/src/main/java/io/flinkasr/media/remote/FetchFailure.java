package io.flinkasr.media.remote;

import io.flinkasr.media.MediaException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/**
 * The errors a fetch ends with, as MediaExceptions with ICE-style codes. Messages name no URL, host,
 * path or key: an InputFile may carry a signed query, and the answer goes back to the client.
 */
final class FetchFailure {
    private FetchFailure() {}

    static MediaException invalid(String message) {
        return new MediaException("InvalidParameter.InputFile", message);
    }

    static MediaException denied(String message) {
        return new MediaException("InputFile.AccessDenied", message);
    }

    static MediaException notFound() {
        return new MediaException("InputFile.NotFound", "The InputFile does not exist.");
    }

    static MediaException tooLarge(long limit) {
        return new MediaException(
                "InputFile.TooLarge", "The InputFile is larger than the " + limit + " bytes this service accepts.");
    }

    static MediaException timeout() {
        return new MediaException("InputFile.Timeout", "The InputFile's server did not answer in time.");
    }

    static MediaException unreachable(String message) {
        return new MediaException("InputFile.Unreachable", message);
    }

    /** What a failed connection or transfer means for the job. */
    static MediaException of(IOException e) {
        if (Thread.currentThread().isInterrupted()) {
            return new MediaException("InternalError", "Fetching the InputFile was interrupted.");
        }
        if (refused(e)) {
            return denied("The InputFile's host is not an address this service may fetch from.");
        }
        if (e instanceof InterruptedIOException) {
            return timeout();
        }
        if (e instanceof UnknownHostException) {
            return unreachable("The InputFile's host could not be resolved.");
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return unreachable("The InputFile's server could not be reached.");
        }
        if (e instanceof SSLException) {
            return unreachable("No secure connection could be made to the InputFile's server.");
        }
        return unreachable("The connection to the InputFile's server failed.");
    }

    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CheckedDns.Refused) {
                return true;
            }
            for (Throwable s : t.getSuppressed()) {
                if (refused(s)) {
                    return true;
                }
            }
        }
        return false;
    }
}
