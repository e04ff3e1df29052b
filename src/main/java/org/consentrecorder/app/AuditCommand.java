package org.consentrecorder.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.io.PrintStream;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.consentrecorder.admin.AuditAnchoring;
import org.consentrecorder.admin.AuditChainVerifier;
import org.consentrecorder.store.DatabaseServer;
import picocli.CommandLine.Command;

/**
 * {@code audit verify}: recomputes the keyed audit chain in one snapshot and checks it against the anchors kept
 * outside the database; exit 1 and the first broken link when it is broken. {@code audit anchor}: writes an anchor
 * of the current head now (e.g. from cron, or before a backup).
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit trail.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Anchor.class})
final class AuditCommand {

    private AuditCommand() {
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify the audit log's keyed chain (needs the keyring) against its anchors (CR_AUDIT_*); "
                    + "exit 1 and report the first broken link if it is broken.")
    static final class Verify implements Callable<Integer> {
        @Override
        public Integer call() {
            return CliDatabase.runAudited(System.err, audit -> (vertx, pool) -> verify(vertx, pool, audit, System.out));
        }
    }

    @Command(name = "anchor", mixinStandardHelpOptions = true,
            description = "Write the audit chain's head to the configured anchors (file, syslog, TSA) now.")
    static final class Anchor implements Callable<Integer> {
        @Override
        public Integer call() {
            return CliDatabase.runAudited(System.err, audit -> (vertx, pool) -> anchor(vertx, pool, audit, System.out));
        }
    }

    static int verify(DatabaseServer server, CliDatabase.CliAudit audit, PrintStream out) throws Exception {
        return CliDatabase.run(server, (vertx, pool) -> verify(vertx, pool, audit, out));
    }

    private static Future<Integer> verify(Vertx vertx, Pool pool, CliDatabase.CliAudit audit, PrintStream out) {
        return anchoring(vertx, pool, audit).compose(a -> a.verify().eventually(a::close)).map(r -> print(r, out));
    }

    private static Future<Integer> anchor(Vertx vertx, Pool pool, CliDatabase.CliAudit audit, PrintStream out) {
        if (!audit.settings().anchoring()) {
            out.println("FAIL no anchor is configured (CR_AUDIT_ANCHOR_FILE, CR_AUDIT_ANCHOR_SYSLOG, CR_AUDIT_TSA_URL)");
            return Future.succeededFuture(2);
        }
        return anchoring(vertx, pool, audit).compose(a -> a.anchorNow().eventually(a::close)).map(written -> {
            out.println(written.map(w -> "ok   anchored seq " + w.seq() + " " + HexFormat.of().formatHex(w.hash()))
                    .orElse("ok   nothing to anchor (the chain is empty)"));
            return 0;
        });
    }

    private static Future<AuditAnchoring> anchoring(Vertx vertx, Pool pool, CliDatabase.CliAudit audit) {
        try {
            return Future.succeededFuture(new AuditAnchoring(vertx, pool, audit.keys(), audit.settings(), Clock.systemUTC()));
        } catch (java.io.IOException e) {
            return Future.failedFuture(e);
        }
    }

    private static int print(AuditChainVerifier.Report report, PrintStream out) {
        out.println((report.intact() ? "ok   " : "FAIL ") + report);
        return report.intact() ? 0 : 1;
    }
}
