package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;

/**
 * The first admin: from configuration or from {@code admin create}; without either the application
 * refuses to start. {@code audit verify} exits non-zero on a broken chain.
 */
class AdminCliAndBootstrapTest {
    private static final org.consentrecorder.crypto.AuditChainKeys KEYS = AppHarness.auditKeys();
    private static final CliDatabase.CliAudit CLI_AUDIT = new CliDatabase.CliAudit(KEYS,
            org.consentrecorder.admin.AuditSettings.none());

    private static final class Output {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        @Override
        public String toString() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void withoutAnAdminSecret_andNoAdminAccount_theApplicationRefusesToStart() {
        DatabaseServer db = TestDatabase.fresh();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AppHarness.start(FakeAsterisk.start(), db, Map.of("CR_ADMIN_PASSWORD", "")));
        assertTrue(rootMessage(e).contains("no admin account exists and CR_ADMIN_PASSWORD is not set"), rootMessage(e));
    }

    @Test
    void developmentMode_startsWithoutAnAdminSecret() {
        try (AppHarness h = AppHarness.start(Map.of("CR_ADMIN_PASSWORD", "", "CR_DEV_MODE", "true"))) {
            assertTrue(h.rows("select * from operator_account").isEmpty());
        }
    }

    @Test
    void adminCreate_thenTheApplicationStartsWithoutTheSecret_andAuditVerifyChecksTheChain() throws Exception {
        DatabaseServer db = TestDatabase.fresh();
        Output out = new Output();
        assertEquals(0, AdminCommand.create(db, KEYS, "Ops-Lead", "admin", "Cli-created-passphrase-9", out.out), out.toString());
        assertTrue(out.toString().contains("created account 'ops-lead' with role admin"), out.toString());
        assertEquals(1, AdminCommand.create(db, KEYS, "ops-lead", "admin", "Cli-created-passphrase-9", out.out), "exists already");
        assertEquals(2, AdminCommand.create(db, KEYS, "other", "admin", "change-me-admin-password", out.out), "default password");
        assertEquals(2, AdminCommand.create(db, KEYS, "other", "root", "Cli-created-passphrase-9", out.out), "no such role");

        try (AppHarness h = AppHarness.start(FakeAsterisk.start(), db, Map.of("CR_ADMIN_PASSWORD", ""))) {
            assertEquals(1, h.rows("select * from operator_account").size());
        }

        Output verified = new Output();
        assertEquals(0, AuditCommand.verify(db, CLI_AUDIT, verified.out), verified.toString());
        assertTrue(verified.toString().startsWith("ok   audit chain intact"), verified.toString());

        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.ownerUser(), db.ownerPassword());
             Statement s = c.createStatement()) {
            s.execute("alter table audit_log disable trigger audit_log_no_update_delete");
            s.execute("update audit_log set actor_name = 'someone else' where seq = 1");
            s.execute("alter table audit_log enable trigger audit_log_no_update_delete");
        }
        Output broken = new Output();
        assertEquals(1, AuditCommand.verify(db, CLI_AUDIT, broken.out));
        assertTrue(broken.toString().contains("BROKEN at seq 1"), broken.toString());
    }

    @Test
    void adminUnlock_andMfaReset_fromTheCommandLine_areAudited() throws Exception {
        DatabaseServer db = TestDatabase.fresh();
        Output out = new Output();
        assertEquals(0, AdminCommand.create(db, KEYS, "night-shift", "supervisor", "Cli-created-passphrase-9", out.out), out.toString());
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.ownerUser(), db.ownerPassword());
             Statement s = c.createStatement()) {
            s.execute("update operator_account set locked_at = now() where username = 'night-shift'");
            s.execute("insert into login_throttle (key, failures, updated_at) values ('acct:night-shift', 100, now()), "
                    + "('pair:night-shift|192.0.2.1', 7, now()), ('addr:192.0.2.1', 7, now())");
        }
        assertEquals(2, AdminCommand.unlock(db, KEYS, "night-shift", " ", out.out), "a reason is required");
        assertEquals(1, AdminCommand.unlock(db, KEYS, "nobody", "ticket 1", out.out));
        assertEquals(0, AdminCommand.unlock(db, KEYS, "night-shift", "ticket 1: owner verified", out.out), out.toString());
        assertEquals(0, AdminCommand.mfaReset(db, KEYS, "night-shift", "ticket 2: phone lost", out.out), out.toString());
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.ownerUser(), db.ownerPassword());
             Statement s = c.createStatement()) {
            var rs = s.executeQuery("select locked_at from operator_account where username = 'night-shift'");
            assertTrue(rs.next());
            assertEquals(null, rs.getObject(1));
            rs = s.executeQuery("select key from login_throttle order by key");
            assertTrue(rs.next());
            assertEquals("addr:192.0.2.1", rs.getString(1), "the address's counter stays: it is not the account's");
            assertTrue(!rs.next());
            rs = s.executeQuery("select a.action, t.body::jsonb ->> 'reason' from audit_log a join audit_text t on t.seq = a.seq "
                    + "where a.actor_name = 'cli' and a.action like 'accounts.%' "
                    + "and a.action <> 'accounts.create' order by a.seq");
            assertTrue(rs.next());
            assertEquals("accounts.unlock", rs.getString(1));
            assertEquals("ticket 1: owner verified", rs.getString(2));
            assertTrue(rs.next());
            assertEquals("accounts.mfa_reset", rs.getString(1));
        }
        Output verified = new Output();
        assertEquals(0, AuditCommand.verify(db, CLI_AUDIT, verified.out), verified.toString());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
