package io.flinkasr.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkasr.records.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Errors that Jetty answers before a request reaches the API (a request line or headers too long, bad
 * bytes, a body over the limit) in ICE's JSON shape instead of Jetty's HTML page; the Message is fixed per
 * status and never repeats what the client sent.
 */
final class IceErrorHandler extends ErrorHandler {
    private static final String JSON = "application/json;charset=utf-8";

    IceErrorHandler() {
        setShowStacks(false);
        setShowServlet(false);
    }

    /** The ICE error for an HTTP status that Jetty (not the API) decided. */
    static IceException forStatus(int status) {
        return switch (status) {
            case 400 -> new IceException(400, "BadRequest", "The request is not valid HTTP.");
            case 408 -> requestTimeout();
            case 413 -> new IceException(413, "RequestTooLarge", "The request body is larger than the API accepts (64 KB).");
            case 414 -> new IceException(414, "RequestTooLarge", "The request line (URL and query) is longer than the API accepts.");
            case 431 -> new IceException(431, "RequestTooLarge", "The request headers are larger than the API accepts.");
            case 404, 405 -> new IceException(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
            default -> status >= 500
                    ? new IceException(status, "InternalError", "The request processing has failed due to some unknown error.")
                    : new IceException(status, "BadRequest", "The request was refused.");
        };
    }

    static IceException requestTimeout() {
        return new IceException(408, "RequestTimeout",
                "The request did not arrive in time (asr.api.read-timeout), arrived too slowly, or its body was shorter than its Content-Length.");
    }

    static byte[] body(IceException e, String requestId) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("RequestId", requestId != null ? requestId : UUID.randomUUID().toString().toUpperCase());
        body.put("HostId", ApiServer.HOST_ID);
        body.put("Code", e.code());
        body.put("Message", e.getMessage());
        body.put("Recommend", "");
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, JSON));
        return ByteBuffer.wrap(body(forStatus(status), null));
    }

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response,
            int code, String message) throws IOException {
        baseRequest.setHandled(true);
        response.setContentType(JSON);
        response.getOutputStream().write(body(forStatus(code), null));
    }

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

}
