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
}
