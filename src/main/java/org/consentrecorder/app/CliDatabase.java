package org.consentrecorder.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.io.PrintStream;
import java.util.function.BiFunction;
import org.consentrecorder.admin.AuditSettings;
import org.consentrecorder.archive.ArchiveSettings;
import org.consentrecorder.config.ConfigException;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.crypto.AuditChainKeys;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.DatabaseSettings;
import org.consentrecorder.store.Migrations;

/**
 * Database access for one-shot commands (admin create, audit verify): the configured database
 * (CR_DB_* only; nothing else needs to be set), migrated, with a small Vert.x pool. With the
 * embedded database the command must run while the service is stopped (they share its directory).
 */
final class CliDatabase {
    private CliDatabase() {
    }

    /** The audit key (from the keyring, never generated here) and the anchor settings, for commands that audit. */
    record CliAudit(AuditChainKeys keys, AuditSettings settings) {
    }

    /** Reads the keyring and the audit settings from the environment (CR_KEYRING_FILE / CR_KEYRING, CR_AUDIT_*). */
    static CliAudit audit() {
        ConfigReader r = new ConfigReader(ConfigSource.load(System.getenv()));
        ArchiveSettings archive = ArchiveSettings.load(r);
        AuditSettings settings = AuditSettings.load(r);
        r.throwIfProblems();
        return new CliAudit(AuditChainKeys.of(KeyMaterial.keyring(archive, false)), settings);
    }

    /** As {@link #run(PrintStream, BiFunction)} for work that writes or verifies audit rows. */
    static int runAudited(PrintStream err, java.util.function.Function<CliAudit, BiFunction<Vertx, Pool, Future<Integer>>> work) {
        CliAudit audit;
        try {
            audit = audit();
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        return run(err, work.apply(audit));
    }

    /** Opens the configured database and runs the work; the exit code, or 2 for a configuration problem. */
    static int run(PrintStream err, BiFunction<Vertx, Pool, Future<Integer>> work) {
        DatabaseSettings config;
        try {
            config = AppConfig.loadDatabase(ConfigSource.load(System.getenv()));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        try (DatabaseServer server = DatabaseServer.start(config)) {
            return run(server, work);
        } catch (Exception e) {
            err.println("database: " + e.getMessage());
            return 1;
        }
    }

    static int run(DatabaseServer server, BiFunction<Vertx, Pool, Future<Integer>> work) throws Exception {
        Migrations.migrate(server);
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(2))
                    .connectingTo(server.connectOptions()).using(vertx).build();
            try {
                return Application.await(work.apply(vertx, pool));
            } finally {
                pool.close();
            }
        } finally {
            Application.await(vertx.close());
        }
    }
}
