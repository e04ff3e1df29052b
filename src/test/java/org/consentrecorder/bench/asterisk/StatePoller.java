package org.consentrecorder.bench.asterisk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's stopwatch: reads a live recording's state from Asterisk ({@code GET /ari/recordings/live/{name}})
 * until it is the one awaited, on plain blocking connections, so the thread that polls is the thread that sends
 * the request and reads the answer.
 *
 * <p>Why not {@link RawAri}'s {@code java.net.http} client: there every answer passes the client's selector thread,
 * then its executor, before it wakes the polling thread, and each of the three must get one of the machine's two
 * cores, which the subject is busy on. Beside the product, with 60 calls, the {@code GET} that read "paused" went out
 * and was read 5.5–6 ms late at p99 while Asterisk answered every poll within 0.23 ms ({@code bench/poll-lag.py} on
 * runs ab2 and ab3 of 2026-11-28): the figure was measuring the stopwatch. One thread per poll takes two of those
 * waits out, for both subjects alike.
 *
 * <p>Connections are kept alive and shared through a pool (a call's thread takes one for the length of a wait), so
 * under N concurrent calls Asterisk sees at most N of them besides the subjects' own; the lab's {@code sessionlimit}
 * (1000) leaves room. The answer's parser knows only what Asterisk's HTTP server sends: a status line, headers and a
 * {@code Content-Length} body. Anything else (a chunked body, a closed connection) is an {@link IOException}; a
 * closed keep-alive connection is opened again once.
 */
final class StatePoller implements AutoCloseable {
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_BODY_BYTES = 256 * 1024;

    private final String host;
    private final int port;
    private final String basePath;
    private final String authorization;
    private final Queue<Connection> idle = new ConcurrentLinkedQueue<>();
    private final Queue<Connection> all = new ConcurrentLinkedQueue<>();

    /** base: the ARI server's http URL, as given to the benchmark (e.g. {@code http://127.0.0.1:8088}). */
    StatePoller(URI base, String authorization) {
        if (!"http".equals(base.getScheme())) {
            throw new IllegalArgumentException("the state poller speaks plain HTTP only, not " + base.getScheme());
        }
        this.host = base.getHost();
        this.port = base.getPort() < 0 ? 80 : base.getPort();
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.authorization = authorization;
    }

    /** A request's status and the recording's state (null unless Asterisk answered 200 with one). */
    record Reading(int status, String state) {
    }

    /**
     * Polls until Asterisk reports {@code state}, sleeping 1 ms between answers; returns System.nanoTime() when the
     * answer that said so was read, or -1 when the time ran out or the poll failed.
     */
    long awaitState(String recording, String state, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Connection c = take();
        try {
            while (System.nanoTime() < deadline) {
                Reading r = c.read(recording);
                long at = System.nanoTime();
                if (state.equals(r.state())) {
                    return at;
                }
                Thread.sleep(1);
            }
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (IOException e) {
            System.err.println("bench: the state poll failed: " + e.getMessage());
            return -1;
        } finally {
            idle.add(c);
        }
    }

    /**
     * Reads a recording that does not exist {@code readings} times, as fast as Asterisk answers, on one connection;
     * returns how many answers were 404. Why: the benchmark's JVM runs on HotSpot's defaults, and a poller whose
     * code is not compiled yet reads late; the first subject's first call read 14 ms late by the poll, 3.6 ms on the
     * wire (warmref1, 2026-11-28). Warming it before each subject's calls keeps the stopwatch out of the first calls.
     */
    int warmUp(int readings) throws IOException {
        Connection c = take();
        int missing = 0;
        try {
            for (int i = 0; i < readings; i++) {
                if (c.read(WARMUP_RECORDING).status() == 404) {
                    missing++;
                }
            }
        } finally {
            idle.add(c);
        }
        return missing;
    }

    /** The name the warm-up reads: no recording of the benchmark's is called so. */
    static final String WARMUP_RECORDING = "bench-poll-warmup";

    /** One reading, for tests and diagnosis. */
    Reading read(String recording) throws IOException {
        Connection c = take();
        try {
            return c.read(recording);
        } finally {
            idle.add(c);
        }
    }

    private Connection take() {
        Connection c = idle.poll();
        if (c == null) {
            c = new Connection();
            all.add(c);
        }
        return c;
    }

    @Override
    public void close() {
        all.forEach(Connection::close);
        all.clear();
        idle.clear();
    }

    /**
     * One keep-alive connection, used by one thread at a time. A failed exchange closes it; closed, it opens a new
     * socket at its next use, so it goes back to the pool either way.
     */
    private final class Connection {
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Reading read(String recording) throws IOException {
            byte[] request = ("GET " + basePath + "/ari/recordings/live/" + URLEncoder.encode(recording, StandardCharsets.UTF_8)
                    + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: " + authorization
                    + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            boolean fresh = socket == null;
            try {
                return exchange(request);
            } catch (IOException e) {
                close();
                if (fresh) {
                    throw e;
                }
                // Asterisk closes idle keep-alive connections (session_keep_alive): open a new one, once
                return exchange(request);
            }
        }

        private Reading exchange(byte[] request) throws IOException {
            if (socket == null) {
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(host, port), 3000);
                s.setSoTimeout(5000);
                socket = s;
                in = new BufferedInputStream(s.getInputStream());
                out = s.getOutputStream();
            }
            out.write(request);
            out.flush();
            return parse(in);
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing: nothing left to save
                }
            }
            socket = null;
        }
    }

    /** Reads one HTTP/1.1 answer with a Content-Length body from {@code in}, leaving the stream at the next answer. */
    static Reading parse(InputStream in) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + lines[0]);
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: " + statusLine[1]);
        }
        long length = -1;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("transfer-encoding")) {
                throw new IOException("a " + value + " body; the poller reads Content-Length bodies only");
            }
            if (name.equals("content-length")) {
                try {
                    length = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IOException("Content-Length " + value);
                }
            }
        }
        if (length < 0 || length > MAX_BODY_BYTES) {
            throw new IOException("Content-Length " + length + " (missing or over " + MAX_BODY_BYTES + ")");
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new IOException("connection closed inside the body");
        }
        String state = null;
        if (status == 200 && length > 0) {
            JsonNode json = RawAri.JSON.readTree(body);
            JsonNode s = json.path("state");
            state = s.isTextual() ? s.asText() : null;
        }
        return new Reading(status, state);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException(head.size() == 0 ? "connection closed" : "connection closed inside the headers");
            }
            head.write(b);
            if (head.size() > MAX_HEADER_BYTES) {
                throw new IOException("headers over " + MAX_HEADER_BYTES + " bytes");
            }
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String s = head.toString(StandardCharsets.US_ASCII);
        return s.substring(0, s.length() - 4);
    }
}
