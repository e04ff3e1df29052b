package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar against an external PostgreSQL (CR_DB_URL): the database is restarted under the
 * running application and its pool reconnects (ready again, evidence and timeline written again, new
 * calls recorded); then the application is killed with SIGKILL in the middle of a paused and a recording
 * call and started again: ready without help, the calls taken over (the pause re-asserted), both
 * recordings archived once and playable, the audit chain intact. The "external" server is a PostgreSQL
 * the test starts and stops itself, on a fixed port and its own data directory.
 */
class ExternalDatabaseRestartIT {
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    private static final String ADMIN_PASSWORD = "External-db-admin-1";

    @TempDir
    Path base;
    private FakeAsterisk asterisk;
    private EmbeddedPostgres database;
    private int databasePort;
    private AppProcess app;
    private AppProcess restarted;

    @AfterEach
    void cleanUp() throws Exception {
        for (AppProcess p : new AppProcess[] {app, restarted}) {
            if (p != null) {
                p.close();
            }
        }
        if (database != null) {
            database.close();
        }
        if (asterisk != null) {
            asterisk.close();
        }
    }

    private void startDatabase() throws IOException {
        database = EmbeddedPostgres.builder().setDataDirectory(base.resolve("external-pg")).setCleanDataDirectory(false)
                .setPort(databasePort).setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start();
    }

    @Test
    void theDatabaseRestartsUnderTheApplicationAndTheApplicationRestartsOnTheDatabase() throws Exception {
        asterisk = FakeAsterisk.start().playbackDuration(Duration.ofMillis(200));
        databasePort = AppProcess.freePort();
        startDatabase();
        OutsideView view = new OutsideView(asterisk, () -> databasePort);
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_URL", asterisk.url());
        env.put("CR_ARI_USER", FakeAsterisk.USER);
        env.put("CR_ARI_PASSWORD", FakeAsterisk.PASSWORD);
        env.put("CR_ARI_RECONNECT_MIN", "50ms");
        env.put("CR_ARI_RECONNECT_MAX", "300ms");
        env.put("CR_DB_URL", "postgresql://127.0.0.1:" + databasePort + "/postgres");
        env.put("CR_DB_USER", "postgres");
        env.put("CR_KEYSTORE_DIR", base.resolve("keys").toString());
        env.put("CR_KEYRING", org.consentrecorder.testing.AppHarness.TEST_KEYRING);
        env.put("CR_HTTP_HOST", "127.0.0.1");
        // signs in with a password only (the second factor has tests of its own: MfaApiTest)
        env.put("CR_MFA_REQUIRED_ROLES", "none");
        env.put("CR_HTTP_PORT", String.valueOf(AppProcess.freePort()));
        env.put("CR_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("CR_TEARDOWN_TIMEOUT", "2s");
        // stored unchanged, so what comes back can be compared byte for byte with what Asterisk recorded
        // (a crash while encoding Opus: OpusArchiveTest)
        env.put("CR_ARCHIVE_CODEC", "wav");
        env.put("CR_ARCHIVE_POLL", "100ms");
        env.put("CR_ARCHIVE_RETRY_MIN", "50ms");
        env.put("CR_ARCHIVE_RETRY_MAX", "500ms");
        env.put("CR_ARCHIVE_LEASE", "2s");

        app = AppProcess.jar(base.resolve("app.log"), env);
        app.awaitReady(Duration.ofSeconds(90));
        OutsideView.Call x = view.consentedCall("+15550200001");

        // the database goes away under the running application, and comes back on the same port
        database.close();
        view.awaitTrue("not ready while the database is down", () -> app.status("/health/ready") == 503);
        startDatabase();
        Duration back = timed(() -> app.awaitReady(READY_WITHIN));
        System.out.printf("[external database] ready again %d ms after the database came back%n", back.toMillis());
        // the pool writes again: a pause lands in the timeline, a new caller's consent is evidence
        asterisk.userEvent(x.channel(), "PaymentStart");
        view.awaitPaused(x, true);
        view.awaitRow("select 1 from recording_timeline where call_id = ? and change = 'paused'", x.callId());
        OutsideView.Call y = view.consentedCall("+15550200002");
        view.awaitRow("select 1 from consent_decision where call_id = ? and outcome = 'granted'", y.callId());

        // the application dies with a paused and a recording call; the database stays
        app.kill();
        asterisk.await("the dead application's WebSocket closed", () -> !asterisk.connected(FakeAsterisk.USER),
                OutsideView.WAIT);
        long restartedAt = System.nanoTime();
        restarted = AppProcess.jar(base.resolve("restarted.log"), env);
        Duration ready = restarted.awaitReady(READY_WITHIN);
        System.out.printf("[external database] restarted jar ready in %d ms%n", ready.toMillis());
        assertTrue(ready.compareTo(READY_WITHIN) <= 0, "ready within 30 s: " + ready);
        view.awaitTrue("the pause re-asserted", () -> !view.pauseRequests(x, restartedAt).isEmpty());
        assertEquals("POST", view.pauseRequests(x, restartedAt).get(0).method());
        assertEquals("paused", asterisk.liveState(x.recording()));
        asterisk.userEvent(y.channel(), "PaymentStart");
        view.awaitPaused(y, true);

        for (OutsideView.Call c : List.of(x, y)) {
            asterisk.callerHangsUp(c.channel());
        }
        AdminApiClient admin = AdminApiClient.login(restarted.httpPort(), "admin", ADMIN_PASSWORD);
        view.operator("carol", "External-db-compliance-1", "compliance");
        AdminApiClient compliance = AdminApiClient.login(restarted.httpPort(), "carol", "External-db-compliance-1");
        for (OutsideView.Call c : List.of(x, y)) {
            view.awaitState(c.recording(), "archived");
            view.assertArchivedOnce(c);
            assertArrayEquals(asterisk.deletedBytes(c.recording()), compliance.audio(view.recordingId(c), "external db test"));
        }
        assertTrue(compliance.get("/audit/verify").json().getBoolean("intact"));
        assertNotEquals(0, view.count("select count(*) from recording_timeline where call_id = ?", y.callId()));
        assertTrue(restarted.stop(Duration.ofSeconds(60)), "stops on SIGTERM");
    }

    private interface Timed {
        Object run() throws Exception;
    }

    private static Duration timed(Timed t) throws Exception {
        long start = System.nanoTime();
        t.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
