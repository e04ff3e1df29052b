package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} against an external PostgreSQL reports whether commits survive a crash: ok when fsync,
 * synchronous_commit and full_page_writes are on, a warning naming each one that is off and what to
 * change otherwise, read through a session (a per-database synchronous_commit counts). Warnings do not
 * fail the check: the server works, but the operator must know.
 */
class CheckDurabilityIT {

    @Test
    void checkNamesEveryDurabilitySettingThatIsOff(@TempDir Path dir) throws Exception {
        Path pgdata = dir.resolve("pg");
        try (FakeAsterisk asterisk = FakeAsterisk.start()) {
            // the library's test defaults: -F (fsync off), synchronous_commit=off; and full_page_writes off
            try (EmbeddedPostgres careless = EmbeddedPostgres.builder().setDataDirectory(pgdata).setCleanDataDirectory(false)
                    .setServerConfig("full_page_writes", "off").start()) {
                String out = check(dir, asterisk, careless.getPort());
                assertTrue(out.contains("warn database durability: fsync is off"), out);
                assertTrue(out.contains("set fsync = on"), out);
                assertTrue(out.contains("warn database durability: synchronous_commit is off"), out);
                assertTrue(out.contains("warn database durability: full_page_writes is off"), out);
                assertFalse(out.contains("ok   database durability"), out);
            }
            try (EmbeddedPostgres durable = EmbeddedPostgres.builder().setDataDirectory(pgdata).setCleanDataDirectory(false)
                    .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start()) {
                String out = check(dir, asterisk, durable.getPort());
                assertTrue(out.contains("ok   database durability: fsync=on, synchronous_commit=on, full_page_writes=on"), out);
                assertFalse(out.contains("warn database durability"), out);
                // the test server's superuser is what check is run as here: it says so (docs/operations.md)
                assertTrue(out.contains("warn database role: CR_DB_USER (postgres) is a superuser"), out);

                // durable server, careless database: a per-database setting is what the application's sessions get
                try (Connection c = durable.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                    s.execute("alter database postgres set synchronous_commit = off");
                }
                out = check(dir, asterisk, durable.getPort());
                assertTrue(out.contains("warn database durability: synchronous_commit is off"), out);
                assertFalse(out.contains("fsync is off"), out);
            }
        }
    }

    /** Runs {@code java -jar … check} against the server; it must pass (warnings are not failures). */
    private static String check(Path dir, FakeAsterisk asterisk, int dbPort) throws Exception {
        Path log = Files.createTempFile(dir, "check", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", AppProcess.JAR.toAbsolutePath().toString(), "check")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CR_"));
        pb.environment().putAll(Map.of(
                "CR_ARI_URL", asterisk.url(), "CR_ARI_USER", FakeAsterisk.USER, "CR_ARI_PASSWORD", FakeAsterisk.PASSWORD,
                "CR_DB_URL", "postgresql://127.0.0.1:" + dbPort + "/postgres", "CR_DB_USER", "postgres",
                "CR_KEYSTORE_DIR", dir.resolve("keys").toString(), "CR_ADMIN_PASSWORD", "Check-durability-admin-1",
                "CR_KEYRING", org.consentrecorder.testing.AppHarness.TEST_KEYRING));
        Process p = pb.start();
        assertTrue(p.waitFor(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS), "check finishes");
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ok   database 127.0.0.1:" + dbPort), out);
        return out;
    }
}
