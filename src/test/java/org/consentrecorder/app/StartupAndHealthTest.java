package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up with nothing configured but an ARI URL: the application creates its embedded
 * PostgreSQL in the configured directory, serves /health/live at once, and reports not-ready
 * until ARI answers, then ready.
 */
class StartupAndHealthTest {

    private record Reply(int status, JsonObject body) {
    }

    private static Reply get(HttpClientAgent client, int port, String path) throws Exception {
        return client.request(HttpMethod.GET, port, "127.0.0.1", path)
                .compose(r -> r.send().compose(res -> res.body().map(b -> new Reply(res.statusCode(), b.toJsonObject()))))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void givenOnlyAnAriUrl_thenTheEmbeddedDatabaseIsCreatedAndReadinessFollowsAri(@TempDir Path dir) throws Exception {
        int ariPort = freePort();
        Path data = dir.resolve("pgdata");
        Map<String, String> env = Map.of(
                "CR_ARI_URL", "http://" + FakeAsterisk.USER + ":" + FakeAsterisk.PASSWORD + "@127.0.0.1:" + ariPort,
                "CR_DB_EMBEDDED_DIR", data.toString(),
                "CR_KEYSTORE_DIR", dir.resolve("keys").toString(),
                "CR_HTTP_HOST", "127.0.0.1",
                "CR_HTTP_PORT", "0",
                "CR_ARI_RECONNECT_MIN", "50ms",
                "CR_ARI_RECONNECT_MAX", "200ms",
                "CR_ADMIN_PASSWORD", "Startup-test-admin-secret-1",
                // a keyring generated beside the database: development mode only
                "CR_DEV_MODE", "true");
        Vertx vertx = Vertx.vertx();
        HttpClientAgent client = vertx.createHttpClient();
        try (Application app = Application.start(AppConfig.load(ConfigSource.of(env)))) {
            assertTrue(Files.exists(data.resolve("PG_VERSION")), "embedded PostgreSQL data directory created");
            assertTrue(Files.exists(dir.resolve("keyring.json")), "a keyring generated beside the key store");
            String arch = System.getProperty("os.arch");
            if (System.getProperty("os.name").startsWith("Linux") && (arch.equals("amd64") || arch.equals("aarch64"))) {
                assertTrue(app.vertx().isNativeTransportEnabled(), "the epoll transport on Linux " + arch);
            }
            int port = app.httpPort();
            assertEquals(200, get(client, port, "/health/live").status());
            Reply notReady = get(client, port, "/health/ready");
            assertEquals(503, notReady.status());
            assertEquals("not_ready", notReady.body().getString("status"));
            assertEquals("up", notReady.body().getJsonObject("database").getString("state"));
            assertTrue(notReady.body().getJsonObject("ari").getString("state").matches("connecting|disconnected"));

            try (FakeAsterisk asterisk = FakeAsterisk.start(ariPort)) {
                asterisk.await("the app to connect", () -> app.ari().connected(), Duration.ofSeconds(10));
                Reply ready = get(client, port, "/health/ready");
                assertEquals(200, ready.status());
                assertEquals("ready", ready.body().getString("status"));
                assertEquals("22.10.1", ready.body().getJsonObject("ari").getString("asterisk_version"));
            }
            awaitDisconnected(app);
            // polled: the reconnect loop keeps running, and the readiness answer is read over HTTP
            Reply gone = awaitReadiness(client, port, 503);
            assertEquals(503, gone.status(), "not ready again once ARI is gone; ARI state " + app.ari().state()
                    + ", body " + gone.body());
        } finally {
            vertx.close();
        }
    }

    private static void awaitDisconnected(Application app) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (app.ari().connected() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(!app.ari().connected(), "the app saw the simulated Asterisk go away; state " + app.ari().state());
    }

    private static Reply awaitReadiness(HttpClientAgent client, int port, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Reply reply = get(client, port, "/health/ready");
        while (reply.status() != status && System.nanoTime() < deadline) {
            Thread.sleep(50);
            reply = get(client, port, "/health/ready");
        }
        return reply;
    }
}
