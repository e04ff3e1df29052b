package org.consentrecorder.app;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.consentrecorder.crypto.Keyring;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.privacy.DailyStatistics;
import org.consentrecorder.privacy.RetentionJob;
import org.consentrecorder.privacy.RetentionRepository;
import org.consentrecorder.store.DatabaseServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code retention run} and {@code retention runs}: the retention job from the command line. */
@Command(name = "retention", mixinStandardHelpOptions = true, description = "The retention job.",
        subcommands = {RetentionCommand.Run.class, RetentionCommand.Runs.class})
final class RetentionCommand {

    private RetentionCommand() {
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the retention job once and print its report (safe while the service runs: instances "
                    + "coordinate through PostgreSQL).")
    static final class Run implements Callable<Integer> {
        @Override
        public Integer call() {
            return Main.withConfig("retention run", config -> {
                try (DatabaseServer server = DatabaseServer.start(config.database())) {
                    return run(config, server, System.out);
                }
            });
        }
    }

    @Command(name = "runs", mixinStandardHelpOptions = true, description = "Print the last retention runs, newest first.")
    static final class Runs implements Callable<Integer> {
        @Option(names = "--limit", defaultValue = "10", description = "how many (default 10)")
        int limit;

        @Override
        public Integer call() {
            return CliDatabase.run(System.err, (vertx, pool) -> lastRuns(pool, limit, System.out));
        }
    }

    static int run(AppConfig config, DatabaseServer server, PrintStream out) throws Exception {
        Keyring keyring = KeyMaterial.keyring(config.archive(), false, config.admin().devMode());
        SubjectKeyStore keys = KeyMaterial.subjectKeys(config, keyring);
        return CliDatabase.run(server, (vertx, pool) -> {
            Clock clock = Clock.systemUTC();
            RetentionJob job = new RetentionJob(vertx, pool, keys, config.privacy(), new DailyStatistics(pool, clock),
                    clock);
            return job.run("cli").map(report -> {
                out.println(report.toJson().encodePrettily());
                return "completed".equals(report.status()) ? 0 : 1;
            });
        });
    }

    static int runs(DatabaseServer server, int limit, PrintStream out) throws Exception {
        return CliDatabase.run(server, (vertx, pool) -> lastRuns(pool, limit, out));
    }

    private static Future<Integer> lastRuns(io.vertx.sqlclient.Pool pool, int limit, PrintStream out) {
        return new RetentionRepository(pool).lastRuns(Math.max(1, Math.min(limit, 1000)), 0)
                .map(list -> {
                    JsonArray runs = new JsonArray();
                    list.forEach(r -> runs.add(r.toJson()));
                    out.println(runs.encodePrettily());
                    return 0;
                });
    }
}
