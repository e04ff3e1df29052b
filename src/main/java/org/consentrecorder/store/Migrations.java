package org.consentrecorder.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema migrations with Flyway (classpath:db/migration). Runs once at start-up over JDBC,
 * before the event loops serve anything; runtime access goes through the Vert.x pool.
 *
 * <p>Migrations run as the schema's owner ({@link DatabaseServer#ownerUser()}); then the service's
 * role gets exactly the privileges of {@link AppRolePrivileges}. With one login for both (an
 * external database without CR_DB_OWNER_USER) the service migrates its own schema, as before, and
 * the log warns that it could then rewrite the audit trail.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {
    }

    public static void migrate(DatabaseServer server) {
        Flyway flyway = Flyway.configure()
                .dataSource(server.jdbcUrl(), server.ownerUser(), server.ownerPassword())
                .locations("classpath:db/migration")
                .connectRetries(10)
                .load();
        if (!server.separateOwner() && flyway.info().pending().length == 0) {
            // nothing to do: a service role that does not own the schema (migrated by the owner with the
            // migrate command) must not need any privilege to start
            LOG.info("database schema at version {}, current, on {}", flyway.info().current().getVersion(),
                    server.describe());
            warnIfServiceOwnsEvidence(server);
            return;
        }
        MigrateResult result = flyway.migrate();
        LOG.info("database schema at version {} ({} migration(s) applied as {}) on {}",
                result.targetSchemaVersion == null ? flyway.info().current().getVersion() : result.targetSchemaVersion,
                result.migrationsExecuted, server.ownerUser(), server.describe());
        if (server.separateOwner()) {
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.ownerUser(),
                    server.ownerPassword())) {
                AppRolePrivileges.apply(c, server.user());
            } catch (SQLException e) {
                throw new IllegalStateException("cannot grant the service's role " + server.user()
                        + " its privileges as " + server.ownerUser() + ": " + e.getMessage(), e);
            }
            LOG.info("database role {} (the service) has the privileges of {}; {} owns the schema", server.user(),
                    AppRolePrivileges.class.getSimpleName(), server.ownerUser());
        } else {
            warnIfServiceOwnsEvidence(server);
        }
    }

    /** One login for everything: say what it means, once, at start. */
    private static void warnIfServiceOwnsEvidence(DatabaseServer server) {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select pg_has_role(current_user, c.relowner, 'USAGE') "
                     + "from pg_class c where c.oid = to_regclass('public.audit_log')")) {
            if (r.next() && r.getBoolean(1)) {
                LOG.warn("the service connects to the database as {}, which owns the audit trail and the consent "
                        + "evidence: it could drop their append-only triggers. Give migrations a role of their own "
                        + "(CR_DB_OWNER_USER, docs/operations.md \"Database roles\")", server.user());
            }
        } catch (SQLException e) {
            LOG.debug("cannot tell who owns the audit trail: {}", e.getMessage());
        }
    }

    /**
     * Migrates a schema of its own in another database (the shared subject key store): its own locations and its
     * own history table inside {@code schema}, created if missing, so it never mixes with the recordings' schema.
     */
    public static void migrate(String jdbcUrl, String user, String password, String location, String schema,
                               String description) {
        Flyway flyway = Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations(location)
                .schemas(schema)
                .connectRetries(3)
                .load();
        MigrateResult result = flyway.migrate();
        LOG.info("{} at version {} ({} migration(s) applied)", description,
                result.targetSchemaVersion == null ? flyway.info().current().getVersion() : result.targetSchemaVersion,
                result.migrationsExecuted);
    }
}
