package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Slow clients, connection cap, body after authentication, security headers, the default address. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpServerGuardTest {
    private AppHarness h;
    private ApiClient c;

    @BeforeAll
    void start() {
        h = AppHarness.start(Map.of("CR_HTTP_HEADER_TIMEOUT", "2s", "CR_HTTP_REQUEST_TIMEOUT", "3s",
                "CR_HTTP_MAX_CONNECTIONS", "40"));
        c = new ApiClient(h.app.httpPort());
    }

    @AfterAll
    void stop() {
        c.close();
        h.close();
    }

    @Test
    void aClientSendingHeadersOneBytePerSecond_isDisconnected() throws Exception {
        byte[] request = "GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        long start = System.nanoTime();
        boolean closed = false;
        try (Socket s = new Socket("127.0.0.1", h.app.httpPort())) {
            s.setSoTimeout(200);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < request.length && !closed; i++) {
                try {
                    out.write(request[i]);
                    out.flush();
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                long until = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < until) {
                    try {
                        if (in.read() == -1) {
                            closed = true;
                            break;
                        }
                        throw new AssertionError("the server answered a request whose headers never completed");
                    } catch (SocketTimeoutException e) {
                        // still open
                    } catch (IOException e) {
                        closed = true;
                        break;
                    }
                }
            }
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(closed, "the slow client was never disconnected");
        assertTrue(seconds < request.length / 2, "disconnected after " + seconds + " s, long before the headers ended");
    }

    @Test
    void theBodyIsNotReadBeforeAuthentication() throws Exception {
        try (Socket s = new Socket("127.0.0.1", h.app.httpPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("POST /api/v1/accounts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 60000\r\n\r\n{\"username\":").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String head = readHead(s.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 401"), "answered without waiting for the 60 kB body: " + head);
        }
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() {
        for (String path : new String[] {"/api/v1/openapi.json", "/api/v1/no-such-thing", "/health/live", "/api/v1/calls"}) {
            ApiClient.Reply r = c.get(path, null);
            assertEquals("nosniff", r.headers().get("x-content-type-options"), path);
            assertEquals("no-referrer", r.headers().get("referrer-policy"), path);
            assertTrue(r.headers().get("content-security-policy").contains("default-src 'none'"), path);
            assertTrue(r.headers().get("content-security-policy").contains("frame-ancestors 'none'"), path);
            assertEquals(null, r.headers().get("strict-transport-security"), "no HSTS over plain HTTP: " + path);
        }
    }

    @Test
    void connectionsAboveTheCap_areClosed() throws Exception {
        Socket[] held = new Socket[40];
        try {
            for (int i = 0; i < held.length; i++) {
                held[i] = new Socket("127.0.0.1", h.app.httpPort());
            }
            Thread.sleep(300);
            try (Socket extra = new Socket("127.0.0.1", h.app.httpPort())) {
                extra.setSoTimeout(5000);
                extra.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                int first;
                try {
                    first = extra.getInputStream().read();
                } catch (IOException e) {
                    first = -1;
                }
                assertEquals(-1, first, "the 41st connection is closed without an answer");
            }
        } finally {
            for (Socket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
        Thread.sleep(300);
        assertEquals(200, c.get("/health/live", null).status(), "closed connections free their places");
    }

    @Test
    void plainHttpBindsLoopbackByDefault_tlsEveryInterface() {
        HttpSettings plain = HttpSettings.load(new ConfigReader(ConfigSource.of(Map.of())));
        assertEquals("127.0.0.1", plain.host());
        assertFalse(plain.publicAddress());
        HttpSettings withTls = HttpSettings.load(new ConfigReader(ConfigSource.of(Map.of("CR_TLS_CERT", "/x.pem"))));
        assertEquals("0.0.0.0", withTls.host());
        assertTrue(withTls.publicAddress());
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int x;
        while ((x = in.read()) != -1) {
            b.write(x);
            if (b.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}
