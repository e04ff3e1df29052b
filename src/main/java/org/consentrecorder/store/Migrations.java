package org.consentrecorder.store;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema migrations with Flyway (classpath:db/migration). Runs once at start-up over JDBC,
 * before the event loops serve anything; runtime access goes through the Vert.x pool.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {
    }

    public static void migrate(DatabaseServer server) {
        Flyway flyway = Flyway.configure()
                .dataSource(server.jdbcUrl(), server.user(), server.password())
                .locations("classpath:db/migration")
                .connectRetries(10)
                .load();
        MigrateResult result = flyway.migrate();
        LOG.info("database schema at version {} ({} migration(s) applied) on {}",
                result.targetSchemaVersion == null ? flyway.info().current().getVersion() : result.targetSchemaVersion,
                result.migrationsExecuted, server.describe());
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
