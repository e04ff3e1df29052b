package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.testing.EmbeddedLogins;
import org.consentrecorder.testing.Postmasters;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with its embedded PostgreSQL, run as a process and killed the way processes die:
 * the server it starts is durable; after a SIGKILL it starts again on the same data directory with no
 * manual step, whether the old server was left running (an orphan: its watchdog died too) or taken
 * down by its watchdog; and a postmaster.pid naming some unrelated live process never gets that
 * process signalled.
 */
class EmbeddedDatabaseRestartIT {
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path base;
    private final List<AppProcess> apps = new ArrayList<>();
    private final List<Process> others = new ArrayList<>();
    private FakeAsterisk asterisk;

    @AfterEach
    void cleanUp() throws Exception {
        for (AppProcess app : apps) {
            app.children().forEach(ProcessHandle::destroyForcibly);
            app.close();
        }
        for (Process p : others) {
            p.destroyForcibly();
        }
        Postmasters.stopAny(base.resolve("data/postgres"));
        if (asterisk != null) {
            asterisk.close();
        }
    }

    private Map<String, String> env(int httpPort) {
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_URL", "http://" + FakeAsterisk.USER + ":" + FakeAsterisk.PASSWORD + "@127.0.0.1:" + asterisk.port());
        env.put("CR_DB_EMBEDDED_DIR", base.resolve("data/postgres").toString());
        env.put("CR_KEYSTORE_DIR", base.resolve("data/keys").toString());
        env.put("CR_KEYRING", org.consentrecorder.testing.AppHarness.TEST_KEYRING);
        env.put("CR_HTTP_HOST", "127.0.0.1");
        // signs in with a password only (the second factor has tests of its own: MfaApiTest)
        env.put("CR_MFA_REQUIRED_ROLES", "none");
        env.put("CR_HTTP_PORT", String.valueOf(httpPort));
        env.put("CR_ARI_RECONNECT_MIN", "50ms");
        env.put("CR_ARI_RECONNECT_MAX", "500ms");
        env.put("CR_ADMIN_PASSWORD", "Restart-test-admin-1");
        return env;
    }

    private AppProcess start(String name) throws Exception {
        AppProcess app = AppProcess.jar(base.resolve(name + ".log"), env(AppProcess.freePort()));
        apps.add(app);
        return app;
    }

    @Test
    void theEmbeddedServerIsDurableAndAKilledApplicationStartsAgainWithoutHelp() throws Exception {
        asterisk = FakeAsterisk.start();
        Path pgdata = base.resolve("data/postgres");

        // 1. a fresh start: the server the application started commits durably
        AppProcess first = start("first");
        first.awaitReady(Duration.ofSeconds(90));
        Map<String, String> settings = show(pgdata, "fsync", "synchronous_commit", "full_page_writes");
        assertEquals(Map.of("fsync", "on", "synchronous_commit", "on", "full_page_writes", "on"), settings);
        long firstServer = Postmasters.pid(pgdata).orElseThrow();
        assertTrue(Postmasters.runsOn(firstServer, pgdata));
        List<ProcessHandle> watchdogs = first.children().stream()
                .filter(c -> c.info().command().orElse("").endsWith("sh")).toList();
        assertEquals(1, watchdogs.size(), "one watchdog shell beside the server: " + first.children());

        // 2. the application and its watchdog die at once (SIGKILL): the server is left an orphan
        watchdogs.get(0).destroyForcibly();
        watchdogs.get(0).onExit().get(10, TimeUnit.SECONDS);
        first.kill();
        Thread.sleep(500);
        assertTrue(Postmasters.runsOn(firstServer, pgdata), "the orphaned server still holds the directory");
        AppProcess second = start("second");
        Duration ready = second.awaitReady(READY_WITHIN);
        assertTrue(ready.compareTo(READY_WITHIN) <= 0, "ready in " + ready);
        assertFalse(Postmasters.alive(firstServer), "the orphan was shut down");
        assertTrue(second.log().contains("still holds"), second.log());
        long secondServer = Postmasters.pid(pgdata).orElseThrow();
        assertNotEquals(firstServer, secondServer);
        assertEquals("on", show(pgdata, "fsync").get("fsync"));

        // 3. only the application dies: its watchdog takes the server down, no restart needed for that
        second.kill();
        assertTrue(Postmasters.awaitGone(secondServer, 30_000), "the watchdog stopped the server of the dead application");

        // 4. a postmaster.pid left behind names a live process that is not PostgreSQL (its number was reused):
        //    that process is never signalled, and the application starts
        Process unrelated = new ProcessBuilder("sleep", "300").start();
        others.add(unrelated);
        Files.writeString(pgdata.resolve("postmaster.pid"), unrelated.pid() + "\n" + pgdata.toRealPath() + "\n"
                + (System.currentTimeMillis() / 1000) + "\n5432\n/tmp\n127.0.0.1\n  5432001    32768\nready   \n",
                StandardCharsets.UTF_8);
        AppProcess third = start("third");
        ready = third.awaitReady(READY_WITHIN);
        assertTrue(ready.compareTo(READY_WITHIN) <= 0, "ready in " + ready);
        assertTrue(unrelated.isAlive(), "the unrelated process was not signalled");
        assertTrue(third.log().contains("is left alone"), third.log());

        // 5. an orderly stop leaves nothing running
        long thirdServer = Postmasters.pid(pgdata).orElseThrow();
        assertTrue(third.stop(Duration.ofSeconds(60)), "stops on SIGTERM");
        // 143: the JVM's own exit status after SIGTERM, once its shutdown hooks have run
        assertTrue(third.process().exitValue() == 0 || third.process().exitValue() == 143, third.log());
        assertTrue(Postmasters.awaitGone(thirdServer, 10_000), "the server stops with the application");
        assertTrue(unrelated.isAlive());
    }

    /** As the application's own role, with its password from beside the data directory. */
    static Map<String, String> show(Path pgdata, String... names) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + Postmasters.port(pgdata)
                + "/postgres", EmbeddedLogins.APP, EmbeddedLogins.password(pgdata, EmbeddedLogins.APP));
             Statement s = c.createStatement()) {
            for (String name : names) {
                try (ResultSet rs = s.executeQuery("show " + name)) {
                    rs.next();
                    out.put(name, rs.getString(1));
                }
            }
        }
        return out;
    }

}
