package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.loway.oss.ari4java.tools.HttpResponseHandler;
import ch.loway.oss.ari4java.tools.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.consentrecorder.config.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event WebSocket's liveness: a peer that went silent without closing TCP (a frozen Asterisk,
 * a cut network) is reported as a disconnection, so the connection reconnects and readiness drops;
 * a peer that answers pings is left alone.
 */
class VertxAriWsClientLivenessTest {
    private static final Duration LIVENESS = Duration.ofMillis(200);
    private Vertx vertx;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Counts what the socket reports to ari4java. */
    private static final class Recorder implements HttpResponseHandler {
        final CompletableFuture<Void> open = new CompletableFuture<>();
        final CompletableFuture<Long> disconnected = new CompletableFuture<>();
        final AtomicInteger disconnects = new AtomicInteger();

        @Override public void onChReadyToWrite() { open.complete(null); }
        @Override public void onResponseReceived() { }
        @Override public void onDisconnect() {
            disconnects.incrementAndGet();
            disconnected.complete(System.nanoTime());
        }
        @Override public void onSuccess(String text) { }
        @Override public void onSuccess(byte[] bytes) { }
        @Override public void onFailure(Throwable e) { }
        @Override public long getLastResponseTime() { return 0; }
        @Override public Class<?> getType() { return String.class; }
    }

    private VertxAriWsClient client(int port) {
        AriEndpoint endpoint = new AriEndpoint(URI.create("http://127.0.0.1:" + port), "u", Secret.of("p"), "app");
        return new VertxAriWsClient(vertx, vertx.createWebSocketClient(), endpoint, Duration.ofSeconds(5), LIVENESS);
    }

    @Test
    void aPeerThatStopsAnsweringWithoutClosingIsReportedDisconnected() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread peer = new Thread(() -> acceptAndGoSilent(silent, release), "silent-peer");
            peer.setDaemon(true);
            peer.start();
            Recorder r = new Recorder();
            // taken before connecting: the silence is counted from when the socket opened, which is later
            long connecting = System.nanoTime();
            WsClient.WsClientConnection c = client(silent.getLocalPort()).connect(r, "/events", List.of());
            r.open.get(10, TimeUnit.SECONDS);
            long at = r.disconnected.get(10, TimeUnit.SECONDS);
            assertTrue(at - connecting >= LIVENESS.multipliedBy(2).toNanos(), "not before two silent intervals");
            assertEquals(1, r.disconnects.get(), "reported once");
            c.disconnect();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aPeerThatAnswersPingsStaysConnected() throws Exception {
        HttpServer server = vertx.createHttpServer().webSocketHandler(ws -> { })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Recorder r = new Recorder();
        WsClient.WsClientConnection c = client(server.actualPort()).connect(r, "/events", List.of());
        r.open.get(10, TimeUnit.SECONDS);
        // ten silence windows of a peer that sends no events but answers every ping
        Thread.sleep(LIVENESS.multipliedBy(20).toMillis());
        assertEquals(0, r.disconnects.get(), "pongs count as signs of life");
        c.disconnect();
        assertTrue(r.disconnected.isDone() || r.disconnects.get() == 0);
    }

    /** Completes the WebSocket handshake, then reads and ignores everything: no pong ever comes back. */
    private static void acceptAndGoSilent(ServerSocket server, CountDownLatch release) {
        try (Socket s = server.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String key = null;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                    key = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            release.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the test ends the peer by closing the server socket
        }
    }
}
