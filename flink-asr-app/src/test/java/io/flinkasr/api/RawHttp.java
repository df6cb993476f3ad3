package io.flinkasr.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** HTTP/1.1 written by hand, from a chosen client address: what an attacker sends, byte for byte. */
final class RawHttp {
    private RawHttp() {}

    /** A connection from {@code from} to {@code to:port}. */
    static Socket connect(InetAddress from, InetAddress to, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress(to, port), 2000);
        return socket;
    }

    /** Sends {@code request} and reads until the server closes or {@code timeout}: the answer, or null if none came. */
    static String exchange(InetAddress from, int port, String request, Duration timeout) throws IOException {
        try (Socket socket = connect(from, InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readAnswer(socket, timeout);
        }
    }

    /** What the server sent until it closed the connection or the timeout passed (null: nothing at all). */
    static String readAnswer(Socket socket, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                answer.write(buffer, 0, n);
                if (complete(answer.toString(StandardCharsets.UTF_8))) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // nothing more in time
        } catch (IOException reset) {
            // the server cut the connection
        }
        return answer.size() == 0 ? null : answer.toString(StandardCharsets.UTF_8);
    }

    /** Whether the server closed the connection (or reset it) within the timeout, without answering more. */
    static boolean closedByServer(Socket socket, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // drain an answer (e.g. 408) until the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    static int status(String answer) {
        return Integer.parseInt(answer.substring(9, 12));
    }

    static String body(String answer) {
        int at = answer.indexOf("\r\n\r\n");
        return at < 0 ? "" : answer.substring(at + 4);
    }

    /** A whole answer with a Content-Length has arrived. */
    private static boolean complete(String answer) {
        int head = answer.indexOf("\r\n\r\n");
        if (head < 0) {
            return false;
        }
        for (String line : answer.substring(0, head).split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                int length = Integer.parseInt(line.substring(15).strip());
                return answer.getBytes(StandardCharsets.UTF_8).length - head - 4 >= length;
            }
        }
        return false;
    }
}
