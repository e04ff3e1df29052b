package org.consentrecorder.app;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.consentrecorder.config.ConfigException;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.DatabaseSettings;
import org.consentrecorder.store.Migrations;
import picocli.CommandLine.Command;

/**
 * {@code migrate}: brings the schema to this version as its owner (CR_DB_OWNER_USER) and grants the
 * service's role (CR_DB_USER) exactly its privileges, then exits. For deployments where the service
 * itself holds no owner credentials: run this with them at each upgrade, start the service without.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Migrate the database schema as its owner (CR_DB_OWNER_USER / CR_DB_OWNER_PASSWORD) and grant "
                + "the service's role (CR_DB_USER) its privileges; then exit.",
                "Only CR_DB_* settings are read. With the embedded database, run it while the service is stopped."})
final class MigrateCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        DatabaseSettings config;
        try {
            config = AppConfig.loadDatabase(ConfigSource.load(System.getenv()));
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        if (!config.embedded() && config.ownerUser().isEmpty()) {
            System.err.println(DatabaseSettings.DB_OWNER_USER + ": not set. migrate runs as the schema's owner and "
                    + "grants " + DatabaseSettings.DB_USER + " (" + config.user() + ") the service's privileges; set "
                    + DatabaseSettings.DB_OWNER_USER + " and " + DatabaseSettings.DB_OWNER_PASSWORD
                    + " (docs/operations.md, \"Database roles\")");
            return 2;
        }
        try (DatabaseServer server = DatabaseServer.start(config)) {
            return migrate(server, System.out);
        } catch (Exception e) {
            System.err.println("migrate failed: " + e.getMessage());
            return 1;
        }
    }

    static int migrate(DatabaseServer server, PrintStream out) {
        Migrations.migrate(server);
        out.println("ok   schema migrated as " + server.ownerUser() + " on " + server.describe() + "; "
                + server.user() + " has the service's privileges");
        return 0;
    }
}
