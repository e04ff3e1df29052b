package org.consentrecorder.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the application's database role may do, table by table: exactly these privileges, applied by
 * the owner role after every migration (everything else is revoked first, in the same transaction).
 * The application never owns a table, so it can neither drop nor disable the append-only triggers.
 *
 * <p>The evidence and audit tables get INSERT and SELECT only. The one change evidence allows,
 * redacting a consent decision's identifiers for erasure or retention, goes through the
 * {@code SECURITY DEFINER} functions of V26, owned by the owner role: the application may call them
 * and nothing else that changes an evidence row. {@code audit_chain_head} needs UPDATE: its trigger
 * only lets the head move forward onto the row just appended.
 *
 * <p>A table of the schema that is not listed here gets nothing (an operator's own table, say), with a
 * warning; {@code AppRolePrivilegesTest} fails for a table a migration creates without an entry here,
 * so a new table comes with a decision about what the application may do with it.
 */
public final class AppRolePrivileges {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AppRolePrivileges.class);
    static final Map<String, String> TABLES = Map.ofEntries(
            // evidence and audit: append-only for the application
            Map.entry("audit_log", "select, insert"),
            Map.entry("audit_chain_head", "select, update"),
            Map.entry("consent_decision", "select, insert"),
            Map.entry("notice_version", "select, insert"),
            Map.entry("recording_quarantine_decision", "select, insert"),
            Map.entry("incident", "select, insert"),
            Map.entry("daily_call_stats", "select, insert"),
            // retention deletes the pause timeline with its call; nothing updates it
            Map.entry("recording_timeline", "select, insert, delete"),
            Map.entry("recording_chunk", "select, insert, delete"),
            // state the application keeps
            Map.entry("call", "select, insert, update, delete"),
            Map.entry("recording", "select, insert, update, delete"),
            Map.entry("recording_quarantine", "select, insert, update"),
            Map.entry("subject_preference", "select, insert, update, delete"),
            Map.entry("subject_preference_history", "select, insert, update, delete"),
            Map.entry("subject_pseudonym", "select, insert, update, delete"),
            Map.entry("legal_hold", "select, insert, update"),
            // subject rights (V32-V34): a suppression row goes when the caller grants again, corrections
            // with erasure and retention; restrictions are lifted and breaches progress by update
            Map.entry("caller_suppression", "select, insert, delete"),
            // update: superseding locks the earlier version (FOR UPDATE needs it); statements are never rewritten
            Map.entry("correction", "select, insert, update, delete"),
            Map.entry("restriction", "select, insert, update"),
            Map.entry("breach", "select, insert, update"),
            // separated duties (V30): a request is decided once, by update
            Map.entry("role_approval", "select, insert, update"),
            // the audit trail's free text (V28): erasure clears it in place, its trigger allows nothing else
            Map.entry("audit_text", "select, insert, update"),
            Map.entry("audit_timestamp", "select, insert"),
            Map.entry("audit_legacy_rechain", "select"),
            // active/standby (V36): the holder renews by update; cr_fence reads it FOR SHARE, which needs update too
            Map.entry("ari_lease", "select, insert, update"),
            Map.entry("privacy_request", "select, insert, update"),
            Map.entry("retention_run", "select, insert, update"),
            Map.entry("operator_account", "select, insert, update"),
            Map.entry("access_token", "select, insert, update, delete"),
            Map.entry("login_throttle", "select, insert, update, delete"),
            Map.entry("login_challenge", "select, insert, update, delete"),
            Map.entry("operator_mfa", "select, insert, update, delete"),
            Map.entry("operator_recovery_code", "select, insert, update, delete"),
            // read to tell whether the schema is current (Flyway info); written by the owner only
            Map.entry("flyway_schema_history", "select"));

    /** The functions of the schema the application may call (everything else: no EXECUTE). */
    static final Set<String> FUNCTIONS = Set.of("redact_consent_decisions_for_erasure",
            "redact_consent_decisions_for_retention");

    private AppRolePrivileges() {
    }

    /** The listed tables' names (a test compares them with the schema's). */
    public static Set<String> tables() {
        return new TreeSet<>(TABLES.keySet());
    }

    /** Run by the owner role, on its JDBC connection, after migrations; one transaction. */
    static void apply(Connection owner, String appRole) throws SQLException {
        String role = quoteIdent(owner, appRole);
        Set<String> present = names(owner, "select c.relname from pg_class c where c.relnamespace = "
                + "'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')");
        Set<String> unknown = new TreeSet<>(present);
        unknown.removeAll(TABLES.keySet());
        if (!unknown.isEmpty()) {
            LOG.warn("table(s) {} are not the application's: its role gets no privilege on them (list them in {} if it "
                    + "should)", unknown, AppRolePrivileges.class.getName());
        }
        Set<String> functions = names(owner, "select p.oid::regprocedure::text from pg_proc p where p.pronamespace = "
                + "'public'::regnamespace and p.proname in (" + FUNCTIONS.stream().map(f -> "'" + f + "'")
                .collect(Collectors.joining(", ")) + ")");
        List<String> statements = new ArrayList<>();
        // two instances starting at once would otherwise update the same catalog rows ("tuple concurrently updated")
        statements.add("select pg_advisory_xact_lock(hashtext('consent-recorder: app role privileges'))");
        statements.add("revoke all on all tables in schema public from " + role);
        statements.add("revoke all on all sequences in schema public from " + role);
        statements.add("revoke all on all functions in schema public from " + role);
        statements.add("grant usage on schema public to " + role);
        Set<String> listed = new TreeSet<>(present);
        listed.retainAll(TABLES.keySet());
        for (String table : listed) {
            statements.add("grant " + TABLES.get(table) + " on table " + quoteIdent(owner, table) + " to " + role);
        }
        // the bigserial keys of the tables it inserts into
        statements.add("grant usage on all sequences in schema public to " + role);
        for (String function : functions) {
            statements.add("grant execute on function " + function + " to " + role);
        }
        boolean autoCommit = owner.getAutoCommit();
        owner.setAutoCommit(false);
        try (Statement s = owner.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
            owner.commit();
        } catch (SQLException e) {
            owner.rollback();
            throw e;
        } finally {
            owner.setAutoCommit(autoCommit);
        }
    }

    private static Set<String> names(Connection c, String sql) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    private static String quoteIdent(Connection c, String name) throws SQLException {
        try (var p = c.prepareStatement("select quote_ident(?)")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }
}
