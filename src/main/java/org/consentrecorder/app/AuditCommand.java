package org.consentrecorder.app;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.consentrecorder.admin.AuditChainVerifier;
import org.consentrecorder.store.DatabaseServer;
import picocli.CommandLine.Command;

/** {@code audit verify}: recomputes the audit hash chain; exit 1 and the first broken link when it is broken. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit trail.",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand {

    private AuditCommand() {
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify the audit log's hash chain; exit 1 and report the first broken link if it is broken.")
    static final class Verify implements Callable<Integer> {
        @Override
        public Integer call() {
            return CliDatabase.run(System.err, (vertx, pool) -> AuditChainVerifier.verify(pool).map(r -> print(r, System.out)));
        }
    }

    static int verify(DatabaseServer server, PrintStream out) throws Exception {
        return CliDatabase.run(server, (vertx, pool) -> AuditChainVerifier.verify(pool).map(r -> print(r, out)));
    }

    private static int print(AuditChainVerifier.Report report, PrintStream out) {
        out.println((report.intact() ? "ok   " : "FAIL ") + report);
        return report.intact() ? 0 : 1;
    }
}
