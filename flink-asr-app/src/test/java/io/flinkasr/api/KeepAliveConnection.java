package io.flinkasr.api;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 keep-alive connection to the API sending signed ICE requests, one at a time: the load
 * generator of {@link StoreBenchmark}. A blocking socket and a byte search cost the client little, so on
 * a 2-core machine the figures say how fast the API answers rather than how fast a client parses; Java's
 * HttpClient and a JSON parse of every 200 KB answer took more CPU than the API itself.
 */
final class KeepAliveConnection implements AutoCloseable {
    /** An answer: the HTTP status and the raw JSON body. */
    record Answer(int status, byte[] body) {
        /** The value of a top-level string field such as {@code "State"} (the first occurrence), or "". */
        String field(String name) {
            byte[] needle = ("\"" + name + "\":\"").getBytes(StandardCharsets.UTF_8);
            int at = indexOf(body, needle);
            if (at < 0) {
                return "";
            }
            int from = at + needle.length;
            int to = from;
            while (to < body.length && body[to] != '"') {
                to++;
            }
            return new String(body, from, to - from, StandardCharsets.UTF_8);
        }
    }

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private final boolean gzip;

    KeepAliveConnection(String host, int port) {
        this(host, port, false);
    }

    /** @param gzip whether to ask for gzip'd answers, as the official SDK's HTTP client (OkHttp) does */
    KeepAliveConnection(String host, int port, boolean gzip) {
        this.host = host;
        this.port = port;
        this.gzip = gzip;
    }

    Answer send(ApiClient signer, String action, java.util.Map<String, String> parameters) throws IOException {
        byte[] form = signer.form(action, parameters).getBytes(StandardCharsets.UTF_8);
        byte[] head = String.format(Locale.ROOT, "POST / HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "%sContent-Length: %d\r\n\r\n", host, port, gzip ? "Accept-Encoding: gzip\r\n" : "", form.length).getBytes(StandardCharsets.US_ASCII);
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(60_000);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
        }
        try {
            byte[] request = new byte[head.length + form.length];
            System.arraycopy(head, 0, request, 0, head.length);
            System.arraycopy(form, 0, request, head.length, form.length);
            out.write(request);
            out.flush();
            return read();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private Answer read() throws IOException {
        String status = line();
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closing = false;
        boolean gzipped = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("content-encoding:") && lower.contains("gzip")) {
                gzipped = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                closing = true;
            }
        }
        byte[] body;
        if (chunked) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0; size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                all.write(in.readNBytes(size));
                line();
            }
            for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                // trailers: none expected
            }
            body = all.toByteArray();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException("answer cut short");
            }
        } else {
            body = in.readAllBytes();
            closing = true;
        }
        if (closing) {
            close();
        }
        if (gzipped) {
            try (InputStream unzipped = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                body = unzipped.readAllBytes();
            }
        }
        return new Answer(code, body);
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
