package org.consentrecorder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.consentrecorder.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application's database role, as migrations leave it: it writes evidence and the audit trail
 * but cannot change or remove them, nor the triggers that keep them append-only (issue 19).
 * Every refusal is PostgreSQL's own: SQLSTATE 42501 insufficient_privilege (or 42501's sibling for
 * ownership, also 42501), not the trigger's P0001.
 */
class AppRolePrivilegesTest {
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static DatabaseServer db;

    @BeforeAll
    static void migrated() throws Exception {
        db = TestDatabase.fresh();
        assertTrue(db.separateOwner(), "the test database has an owner and an application role");
        Migrations.migrate(db);
        try (Connection owner = owner(); Statement s = owner.createStatement()) {
            // one row in each append-only table, written as the owner (the application could too)
            s.execute("insert into notice_version (version, notice_set, language, notice_text, sound_uris) "
                    + "values ('v1', 'default', 'en', 'This call may be recorded.', '{sound:notice}')");
            s.execute("insert into consent_decision (id, call_id, channel_id, caller_number, caller_subject, "
                    + "notice_completed, decided_at, notice_set, language, notice_version, sound_uris, keys_pressed, "
                    + "attempts, outcome, lawful_basis, decided_by) values ('" + UUID.randomUUID() + "', '"
                    + UUID.randomUUID() + "', 'PJSIP/1', '+441632960001', '+441632960001', true, now(), 'default', "
                    + "'en', 'v1', '{sound:notice}', '1', 1, 'granted', 'consent', 'caller')");
            s.execute("insert into audit_log (seq, at, actor_kind, action, outcome, prev_hash, hash, key_id) values "
                    + "(1, now(), 'system', 'test', 'ok', decode(repeat('00', 32), 'hex'), decode(repeat('11', 32), 'hex'), "
                    + "'kek-test:1')");
            s.execute("update audit_chain_head set seq = 1, hash = decode(repeat('11', 32), 'hex') where id = 1");
            s.execute("insert into recording_quarantine (name, call_id, format, found_at, status) values "
                    + "('r1', '" + UUID.randomUUID() + "', 'wav', now(), 'held')");
            s.execute("insert into recording_quarantine_decision (name, decision, decided_by, reason, automatic, "
                    + "decided_at) values ('r1', 'keep', 'compliance', 'ticket 1', false, now())");
        }
    }

    private static Connection app() throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    private static Connection owner() throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.ownerUser(), db.ownerPassword());
    }

    private static void refusedToTheApplication(String sql) {
        SQLException e = assertThrows(SQLException.class, () -> {
            try (Connection c = app(); Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }, "the application's role may not: " + sql);
        assertEquals(INSUFFICIENT_PRIVILEGE, e.getSQLState(), sql + ": " + e.getMessage());
    }

    @Test
    void theApplicationCannotUpdateDeleteOrTruncateTheAuditTrail() {
        for (String sql : List.of("update audit_log set actor_name = 'someone else' where seq = 1",
                "delete from audit_log where seq = 1",
                "truncate audit_log",
                "delete from audit_chain_head",
                "truncate audit_chain_head")) {
            refusedToTheApplication(sql);
        }
    }

    @Test
    void theApplicationCannotUpdateDeleteOrTruncateTheConsentEvidence() {
        for (String sql : List.of("update consent_decision set outcome = 'declined'",
                "delete from consent_decision",
                "truncate consent_decision cascade",
                "update notice_version set notice_text = 'other words'",
                "delete from notice_version",
                "update recording_quarantine_decision set decision = 'delete'",
                "delete from recording_quarantine_decision",
                "truncate recording_quarantine_decision")) {
            refusedToTheApplication(sql);
        }
    }

    @Test
    void theApplicationCannotDropDisableOrReplaceTheAppendOnlyTriggers() {
        for (String sql : List.of("drop trigger audit_log_no_update_delete on audit_log",
                "drop trigger audit_log_no_truncate on audit_log",
                "alter table audit_log disable trigger audit_log_no_update_delete",
                "alter table audit_log disable trigger all",
                "drop trigger consent_decision_append_only on consent_decision",
                "alter table consent_decision disable trigger consent_decision_append_only",
                "drop trigger audit_chain_head_forward on audit_chain_head",
                "create or replace function audit_log_append_only() returns trigger language plpgsql as "
                        + "$$ begin return old; end $$",
                "drop function consent_recorder_append_only() cascade",
                "alter table audit_log drop column hash",
                "alter table audit_log owner to " + db.user(),
                "drop table audit_log",
                "create table audit_log_copy (seq bigint)")) {
            refusedToTheApplication(sql);
        }
    }

    @Test
    void theRedactionSettingDoesNotOpenTheEvidenceToTheApplication() throws Exception {
        // the trigger lets an update through with consent_recorder.redaction on; the privilege does not
        try (Connection c = app(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("set local consent_recorder.redaction = 'on'");
            SQLException e = assertThrows(SQLException.class,
                    () -> s.execute("update consent_decision set outcome = 'declined'"));
            assertEquals(INSUFFICIENT_PRIVILEGE, e.getSQLState(), e.getMessage());
            c.rollback();
        }
    }

    @Test
    void theApplicationWritesAndReadsEvidence_andRedactsOnlyThroughTheOwnersFunction() throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection c = app(); Statement s = c.createStatement()) {
            s.execute("insert into consent_decision (id, call_id, channel_id, caller_number, caller_subject, "
                    + "notice_completed, decided_at, notice_set, language, notice_version, sound_uris, keys_pressed, "
                    + "attempts, outcome, lawful_basis, decided_by) values ('" + id + "', '" + UUID.randomUUID()
                    + "', 'PJSIP/2', '+441632960002', '+441632960002', true, now(), 'default', 'en', 'v1', "
                    + "'{sound:notice}', '1', 1, 'declined', 'consent', 'caller')");
            try (ResultSet r = s.executeQuery("select redact_consent_decisions_for_erasure('+441632960002', '{}', "
                    + "'erased-token', now(), '{}')")) {
                assertTrue(r.next());
                assertEquals(1, r.getInt(1), "one decision redacted");
            }
            try (ResultSet r = s.executeQuery("select caller_number, caller_subject, outcome, redaction, "
                    + "current_setting('consent_recorder.redaction', true) from consent_decision where id = '" + id + "'")) {
                assertTrue(r.next());
                assertEquals("erased-token", r.getString(1));
                assertEquals("erased-token", r.getString(2));
                assertEquals("declined", r.getString(3), "the decision itself stays");
                assertEquals("erasure", r.getString(4));
                assertFalse("on".equals(r.getString(5)), "the function leaves the setting off behind it");
            }
        }
    }

    @Test
    void onlyTheApplicationMayCallTheRedactionFunctions() throws Exception {
        String erasure = "redact_consent_decisions_for_erasure(text,uuid[],text,timestamptz,uuid[])";
        String retention = "redact_consent_decisions_for_retention(timestamptz,integer)";
        try (Connection c = owner(); Statement s = c.createStatement()) {
            for (String function : List.of(erasure, retention)) {
                assertEquals(Set.of(db.user()), grantees(s, function), function + ": EXECUTE for the application only "
                        + "(its owner aside), none for PUBLIC");
            }
        }
    }

    /** Who holds EXECUTE on the function, its owner left out; PUBLIC is "public". */
    private static Set<String> grantees(Statement s, String function) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (ResultSet r = s.executeQuery("select case when a.grantee = 0 then 'public' else a.grantee::regrole::text end "
                + "from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a "
                + "where p.oid = '" + function + "'::regprocedure and a.privilege_type = 'EXECUTE' "
                + "and a.grantee <> p.proowner")) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    @Test
    void theApplicationOwnsNothingAndIsNoSuperuser() throws Exception {
        try (Connection c = app(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, "
                     + "(select count(*) from pg_class where relowner = pg_roles.oid) "
                     + "from pg_roles where rolname = current_user")) {
            assertTrue(r.next());
            for (int i = 1; i <= 4; i++) {
                assertFalse(r.getBoolean(i), "attribute " + i);
            }
            assertEquals(0, r.getLong(5), "owns no table, sequence or index");
        }
    }

    @Test
    void everyTableOfTheSchemaHasItsPrivilegesListed() throws Exception {
        Set<String> tables = new TreeSet<>();
        try (Connection c = owner(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select relname from pg_class where relnamespace = 'public'::regnamespace "
                     + "and relkind in ('r', 'p', 'v', 'm', 'f')")) {
            while (r.next()) {
                tables.add(r.getString(1));
            }
        }
        assertEquals(AppRolePrivileges.tables(), tables, "AppRolePrivileges lists exactly the schema's tables");
    }

    @Test
    void aServiceWithoutTheOwnersLogin_startsOnACurrentSchema_withoutMigratingOrOwningAnything() throws Exception {
        // the migrate command ran as the owner (BeforeAll); the service has its own login only
        DatabaseServer serviceOnly = DatabaseServer.of(db.connectOptions());
        assertFalse(serviceOnly.separateOwner());
        Migrations.migrate(serviceOnly);
        try (Connection c = app(); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute("delete from audit_log"));
            assertEquals(INSUFFICIENT_PRIVILEGE, e.getSQLState(), "still the application role's privileges only");
        }
    }

    @Test
    void aTableNotListed_isNotTheApplications() throws Exception {
        DatabaseServer other = TestDatabase.fresh();
        Migrations.migrate(other);
        try (Connection c = DriverManager.getConnection(other.jdbcUrl(), other.ownerUser(), other.ownerPassword());
             Statement s = c.createStatement()) {
            s.execute("create table operators_own_notes (id bigint)");
            s.execute("grant select on operators_own_notes to " + other.user());
            AppRolePrivileges.apply(c, other.user());
        }
        try (Connection c = DriverManager.getConnection(other.jdbcUrl(), other.user(), other.password());
             Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute("select * from operators_own_notes"));
            assertEquals(INSUFFICIENT_PRIVILEGE, e.getSQLState(), "what is not listed is revoked: " + e.getMessage());
        }
    }
}
