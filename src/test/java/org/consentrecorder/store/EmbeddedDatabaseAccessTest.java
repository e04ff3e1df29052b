package org.consentrecorder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL asks every connection for a password (issue 19): passwords generated on the
 * first start, kept beside the data directory in an owner-only file; a data directory an earlier
 * version made with {@code initdb -A trust} (and used as the superuser) is upgraded at its next start.
 */
class EmbeddedDatabaseAccessTest {
    /** pgjdbc's state when the server wants a password and none was given, and the server's for a wrong one. */
    private static final Set<String> REFUSED = Set.of("08004", "28P01", "28000");

    @TempDir
    Path base;

    private static DatabaseSettings embeddedAt(Path dir) {
        ConfigReader r = new ConfigReader(ConfigSource.of(Map.of(DatabaseSettings.DB_EMBEDDED_DIR, dir.toString())));
        DatabaseSettings settings = DatabaseSettings.load(r);
        r.throwIfProblems();
        return settings;
    }

    private static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    private static void refused(int port, String user, String password) {
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url(port), user, password)
                .close(), user + " must not get in with password '" + password + "'");
        assertTrue(REFUSED.contains(e.getSQLState()), user + ": " + e.getSQLState() + " " + e.getMessage());
    }

    private static void everyRoleNeedsItsPassword(int port) {
        for (String role : List.of(EmbeddedPasswords.SUPERUSER, EmbeddedPasswords.OWNER, EmbeddedPasswords.APP)) {
            refused(port, role, "");
            refused(port, role, "not-the-password");
        }
    }

    private static void theApplicationCannotRewriteTheAuditTrail(DatabaseServer server) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement s = c.createStatement()) {
            for (String sql : List.of("delete from audit_log", "truncate audit_log",
                    "alter table audit_log disable trigger audit_log_no_update_delete",
                    "update consent_decision set outcome = 'granted'")) {
                SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
            }
        }
    }

    @Test
    void aNewDirectory_getsPasswordsInAnOwnerOnlyFile_andAsksEveryConnectionForOne() throws Exception {
        Path dir = base.resolve("postgres");
        Path file = base.resolve("postgres.passwords");
        try (DatabaseServer server = DatabaseServer.start(embeddedAt(dir))) {
            assertTrue(server.separateOwner());
            assertEquals(EmbeddedPasswords.APP, server.user());
            assertEquals(EmbeddedPasswords.OWNER, server.ownerUser());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertTrue(Files.readString(dir.resolve("pg_hba.conf")).startsWith(EmbeddedAccess.HBA_MARKER));
            try (var left = Files.list(base)) {
                assertEquals(Set.of("postgres", "postgres.passwords"), left.map(p -> p.getFileName().toString())
                        .collect(java.util.stream.Collectors.toSet()), "initdb's password file is gone");
            }
            int port = server.connectOptions().getPort();
            everyRoleNeedsItsPassword(port);
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                 ResultSet r = c.createStatement().executeQuery("select current_user, rolsuper from pg_roles "
                         + "where rolname = current_user")) {
                assertTrue(r.next());
                assertEquals(EmbeddedPasswords.APP, r.getString(1));
                assertFalse(r.getBoolean(2), "the service is no superuser");
            }
            Migrations.migrate(server);
            theApplicationCannotRewriteTheAuditTrail(server);
        }
        String passwords = Files.readString(file);
        // the second start finds its passwords and a server that wants them
        try (DatabaseServer again = DatabaseServer.start(embeddedAt(dir))) {
            assertEquals(passwords, Files.readString(file), "the passwords are kept");
            Migrations.migrate(again);
            everyRoleNeedsItsPassword(again.connectOptions().getPort());
        }
    }

    @Test
    void aNewCluster_asksForAPasswordFromItsCreation_beforeAnyRoleIsSetUp() throws Exception {
        Path dir = base.resolve("postgres");
        EmbeddedPasswords passwords = EmbeddedPasswords.generate(EmbeddedPasswords.fileFor(dir));
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
                .setConnectConfig("password", passwords.superuser().reveal());
        try (NewClusterAuthentication initdb = NewClusterAuthentication.prepare(dir, passwords)) {
            initdb.options().forEach(builder::setLocaleConfig);
            // only initdb's work: no EmbeddedAccess yet, so no pg_hba.conf of ours
            try (EmbeddedPostgres pg = builder.start()) {
                assertFalse(EmbeddedAccess.written(dir), "pg_hba.conf is still initdb's");
                assertTrue(EmbeddedAccess.passwordsRequired(dir), "and it has no trust line");
                refused(pg.getPort(), EmbeddedPasswords.SUPERUSER, "");
                DriverManager.getConnection(url(pg.getPort()), EmbeddedPasswords.SUPERUSER,
                        passwords.superuser().reveal()).close();
            }
        }
        assertFalse(Files.exists(base.resolve(".postgres.initdb-password")), "initdb's password file is deleted");
    }

    @Test
    void aTrustDirectoryOfAnEarlierVersion_isUpgradedAtItsNextStart() throws Exception {
        Path dir = base.resolve("postgres");
        UUID decision = UUID.randomUUID();
        // made the way earlier versions made it: the library's initdb -A trust, migrations and writes as the superuser
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
                .start()) {
            String url = url(old.getPort());
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").target("23").load()
                    .migrate();
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("insert into notice_version (version, notice_set, language, notice_text, sound_uris) "
                        + "values ('v1', 'default', 'en', 'This call may be recorded.', '{sound:notice}')");
                s.execute("insert into consent_decision (id, call_id, channel_id, caller_number, caller_subject, "
                        + "notice_completed, decided_at, notice_set, language, notice_version, sound_uris, keys_pressed, "
                        + "attempts, outcome, lawful_basis, decided_by) values ('" + decision + "', '" + UUID.randomUUID()
                        + "', 'PJSIP/1', '+441632960001', '+441632960001', true, now(), 'default', 'en', 'v1', "
                        + "'{sound:notice}', '1', 1, 'granted', 'consent', 'caller')");
            }
        }
        assertFalse(Files.exists(base.resolve("postgres.passwords")));
        assertFalse(EmbeddedAccess.passwordsRequired(dir), "the earlier version's pg_hba.conf trusts local users");

        try (DatabaseServer server = DatabaseServer.start(embeddedAt(dir))) {
            Migrations.migrate(server);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    base.resolve("postgres.passwords"))));
            everyRoleNeedsItsPassword(server.connectOptions().getPort());
            try (Connection owner = DriverManager.getConnection(server.jdbcUrl(), server.ownerUser(), server.ownerPassword());
                 Statement s = owner.createStatement()) {
                try (ResultSet r = s.executeQuery("select count(*) filter (where relowner = 'postgres'::regrole), "
                        + "count(*) from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'S')")) {
                    assertTrue(r.next());
                    assertEquals(0, r.getLong(1), "nothing of the schema is left to the superuser");
                    assertTrue(r.getLong(2) > 20, "the tables and sequences of the earlier version are there");
                }
                try (ResultSet r = s.executeQuery("select installed_by from flyway_schema_history where version = '26'")) {
                    assertTrue(r.next(), "the new migration ran");
                    assertEquals(EmbeddedPasswords.OWNER, r.getString(1), "as the owner role");
                }
            }
            try (Connection app = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                 ResultSet r = app.createStatement().executeQuery("select outcome from consent_decision where id = '"
                         + decision + "'")) {
                assertTrue(r.next(), "the evidence written before the upgrade is read by the application");
                assertEquals("granted", r.getString(1));
            }
            theApplicationCannotRewriteTheAuditTrail(server);
        }
    }

    @Test
    void aDirectoryThatWantsPasswords_withoutItsFile_isRefusedAtOnce_namingTheFile() throws Exception {
        Path dir = base.resolve("postgres");
        Path file = base.resolve("postgres.passwords");
        try (DatabaseServer server = DatabaseServer.start(embeddedAt(dir))) {
            assertTrue(server.embedded());
        }
        Files.move(file, base.resolve("elsewhere"));
        IOException e = assertThrows(IOException.class, () -> DatabaseServer.start(embeddedAt(dir)).close());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("restore"), e.getMessage());
        assertFalse(Files.exists(file), "no new passwords were made up for a directory that has some");
    }
}
