package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.ari.AriEndpoint;
import org.consentrecorder.ari.VertxAriHttpClient;
import org.consentrecorder.config.Secret;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pause finds its event loop's control connections open however long the loop had no pause:
 * Asterisk (and the double, as it does) closes a connection idle for session_keep_alive, and the
 * keep-alive pings stop that from costing the next caller a connect.
 */
class ControlConnectionKeepAliveTest {
    /** The double's session_keep_alive, shortened from Asterisk's 15 s so the test takes a second or two. */
    private static final long KEEP_ALIVE_MS = 400;
    private FakeAsterisk asterisk;
    private Vertx vertx;
    private VertxAriHttpClient http;
    private Context loop;

    @BeforeEach
    void setUp() throws Exception {
        asterisk = FakeAsterisk.start();
        asterisk.keepAliveMillis(KEEP_ALIVE_MS);
        vertx = Vertx.vertx();
        AriEndpoint endpoint = new AriEndpoint(URI.create(asterisk.url()), FakeAsterisk.USER,
                Secret.of(FakeAsterisk.PASSWORD), FakeAsterisk.USER);
        // as the application builds it: a general pool and a control pool of two per event loop
        http = new VertxAriHttpClient(() -> vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(4)),
                () -> vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(2)), endpoint, Duration.ofSeconds(5));
        CompletableFuture<Context> deployed = new CompletableFuture<>();
        vertx.deployVerticle(new AbstractVerticle() {
            @Override
            public void start() {
                deployed.complete(context);
            }
        }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        loop = deployed.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        asterisk.close();
    }

    /** A pause of a recording that does not exist (Asterisk answers 404 and nothing changes), on the test's event loop. */
    private int pause() throws Exception {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        loop.runOnContext(v -> http.send("POST", "/recordings/live/no-such-recording/pause", List.of(), null)
                .onComplete(ar -> status.complete(ar.succeeded() ? ar.result().status() : -1)));
        return status.get(10, TimeUnit.SECONDS);
    }

    @Test
    void withoutPingsAPauseAfterAQuietSpellPaysForANewConnection() throws Exception {
        assertEquals(404, pause());
        int opened = asterisk.connectionsOpened();
        Thread.sleep(KEEP_ALIVE_MS * 3);
        assertEquals(404, pause());
        // the double closed the quiet connection, as Asterisk does: this is what the pings are for
        assertEquals(opened + 1, asterisk.connectionsOpened());
    }

    @Test
    void withPingsThePauseFindsItsConnectionOpen() throws Exception {
        ControlConnectionKeepAlive.start(vertx, List.of(loop), () -> http, 2, Duration.ofMillis(KEEP_ALIVE_MS / 3), "default");
        // the first pings open the pool's two connections
        Thread.sleep(KEEP_ALIVE_MS / 2);
        int opened = asterisk.connectionsOpened();
        Thread.sleep(KEEP_ALIVE_MS * 3);
        assertEquals(404, pause());
        assertEquals(opened, asterisk.connectionsOpened(), "no connection was opened for the pause or for the pings");
        assertTrue(asterisk.requests().stream().filter(r -> r.path().equals("/ari/asterisk/ping")).count() >= 8,
                "pings were sent over the quiet spell");
    }

    @Test
    void theShippedHttpConfKeepsIdleConnectionsLongerThanTwoPingIntervals() throws Exception {
        String keepAlive = java.nio.file.Files.readAllLines(java.nio.file.Path.of("asterisk-config", "http.conf")).stream()
                .map(String::trim).filter(l -> l.startsWith("session_keep_alive"))
                .map(l -> l.substring(l.indexOf('=') + 1).trim()).findFirst().orElse("15000"); // Asterisk's default
        assertTrue(Long.parseLong(keepAlive) > 2 * ControlConnectionKeepAlive.INTERVAL.toMillis(),
                "session_keep_alive " + keepAlive + " ms against a ping every " + ControlConnectionKeepAlive.INTERVAL);
    }

    @Test
    void noPingWhileTheInstanceMayNotActOnTheServer() throws Exception {
        ControlConnectionKeepAlive.start(vertx, List.of(loop), () -> null, 2, Duration.ofMillis(50), "default");
        Thread.sleep(400);
        assertEquals(0, asterisk.requests().stream().filter(r -> r.path().equals("/ari/asterisk/ping")).count());
    }
}
