package org.consentrecorder.bench.asterisk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The benchmark's poller against a small server that answers as Asterisk's HTTP server does. */
class StatePollerTest {
    private ServerSocket server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** Asterisk's answer byte for byte as Asterisk 22.10.1 sent it on the lab machine (2026-11-28), but for the date. */
    static String answer(int status, String body) {
        return "HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found") + "\r\nServer: Asterisk/22.10.1\r\n"
                + "Date: Sat, 28 Nov 2026 19:09:01 GMT\r\nCache-Control: no-cache, no-store\r\n"
                + "Content-type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n" + body;
    }

    static String recording(String state) {
        return "{\"name\":\"cr-1\",\"format\":\"wav\",\"target_uri\":\"channel:snoop-1\",\"state\":\"" + state + "\"}";
    }

    /** Serves answers by the request's number (from 0, over all connections); closes a connection after perConnection answers. */
    private URI serve(IntFunction<String> answers, int perConnection) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        AtomicInteger n = new AtomicInteger();
        Thread accept = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    connections.incrementAndGet();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < perConnection; i++) {
                        StringBuilder head = new StringBuilder();
                        String line;
                        while ((line = in.readLine()) != null && !line.isEmpty()) {
                            head.append(line).append('\n');
                        }
                        if (line == null) {
                            break;
                        }
                        requests.add(head.toString());
                        out.write(answers.apply(n.getAndIncrement()).getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            }
        }, "fake-asterisk-http");
        accept.setDaemon(true);
        accept.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    @Test
    void waitsForTheState_onOneKeptAliveConnection_withTheCredentials() throws Exception {
        URI base = serve(i -> answer(200, recording(i < 3 ? "recording" : "paused")), 100);
        try (StatePoller poller = new StatePoller(base, "Basic YXJpOnNlY3JldA==")) {
            long before = System.nanoTime();
            long at = poller.awaitState("cr-1", "paused", 3000);
            assertTrue(at > before, "the time the answer saying paused was read");
        }
        assertEquals(4, requests.size(), "polled until the fourth answer said paused");
        assertEquals(1, connections.get(), "one keep-alive connection");
        String first = requests.get(0);
        assertTrue(first.startsWith("GET /ari/recordings/live/cr-1 HTTP/1.1\n"), first);
        assertTrue(first.contains("Authorization: Basic YXJpOnNlY3JldA==\n"), first);
    }

    @Test
    void aConnectionAsteriskClosedIsOpenedAgain_once() throws Exception {
        URI base = serve(i -> answer(200, recording(i < 2 ? "recording" : "paused")), 1);
        try (StatePoller poller = new StatePoller(base, "Basic x")) {
            assertTrue(poller.awaitState("cr-1", "paused", 3000) > 0);
        }
        assertEquals(3, requests.size());
        assertEquals(3, connections.get(), "a new connection after each close");
    }

    @Test
    void warmsUpOnOneConnection_countingTheMissingRecordingsAnswers() throws Exception {
        URI base = serve(i -> i == 7 ? answer(200, recording("recording")) : answer(404, "{\"message\":\"Recording not found\"}"), 1000);
        try (StatePoller poller = new StatePoller(base, "Basic x")) {
            assertEquals(19, poller.warmUp(20), "the one answer that was not 404 is not counted");
        }
        assertEquals(20, requests.size());
        assertEquals(1, connections.get());
        assertTrue(requests.get(0).startsWith("GET /ari/recordings/live/" + StatePoller.WARMUP_RECORDING + " HTTP/1.1\n"));
    }

    @Test
    void givesUp_whenTheStateNeverComes() throws Exception {
        URI base = serve(i -> answer(404, "{\"message\":\"Recording not found\"}"), 1000);
        try (StatePoller poller = new StatePoller(base, "Basic x")) {
            assertEquals(-1, poller.awaitState("cr-1", "paused", 100));
            StatePoller.Reading r = poller.read("cr-1");
            assertEquals(404, r.status());
            assertNull(r.state());
        }
        assertTrue(requests.size() > 5, "kept polling until the time ran out: " + requests.size());
    }

    @Test
    void answersItCannotReadAreErrors_notReadings() {
        assertThrows(IOException.class, () -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
        assertThrows(IOException.class, () -> parse("HTTP/1.1 200 OK\r\nContent-type: application/json\r\n\r\n{}"));
        assertThrows(IOException.class, () -> parse("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"state\":\"paused\"}"));
        assertThrows(IOException.class, () -> parse("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
        assertThrows(IOException.class, () -> parse("HTTP/1.1 200 OK\r\nContent-Length: 2"));
    }

    @Test
    void readsOneAnswerAndLeavesTheNext() throws IOException {
        var in = new ByteArrayInputStream((answer(200, recording("paused")) + answer(200, recording("recording")))
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(new StatePoller.Reading(200, "paused"), StatePoller.parse(in));
        assertEquals(new StatePoller.Reading(200, "recording"), StatePoller.parse(in));
    }

    private static StatePoller.Reading parse(String raw) throws IOException {
        return StatePoller.parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
    }
}
