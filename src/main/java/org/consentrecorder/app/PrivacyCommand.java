package org.consentrecorder.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.consentrecorder.admin.AuditEntry;
import org.consentrecorder.admin.AuditLog;
import org.consentrecorder.crypto.AuditChainKeys;
import org.consentrecorder.crypto.Keyring;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.privacy.PrivacyRequestRepository;
import org.consentrecorder.privacy.PrivacyRequests;
import org.consentrecorder.privacy.SubjectExport;
import org.consentrecorder.archive.EncryptedArchive;
import org.consentrecorder.archive.ArchiveRepository;
import org.consentrecorder.store.DatabaseServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code privacy export}: answers an access request with the export bundle written to a file. */
@Command(name = "privacy", mixinStandardHelpOptions = true, description = "Data-subject requests.",
        subcommands = {PrivacyCommand.Export.class})
final class PrivacyCommand {

    private PrivacyCommand() {
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the export bundle (zip) of an access request to a file and complete the request. "
                    + "Audited with actor 'cli'.")
    static final class Export implements Callable<Integer> {
        @Option(names = "--request", required = true, description = "the access request's id")
        UUID request;

        @Option(names = "--out", required = true, description = "the zip file to write (must not exist)")
        Path out;

        @Override
        public Integer call() {
            return Main.withConfig("export", config -> {
                try (DatabaseServer server = DatabaseServer.start(config.database())) {
                    return export(config, server, request, out, System.out);
                }
            });
        }
    }

    static int export(AppConfig config, DatabaseServer server, UUID requestId, Path out, PrintStream print)
            throws Exception {
        if (Files.exists(out)) {
            print.println("FAIL " + out + " exists; the export never overwrites a file");
            return 2;
        }
        Keyring keyring = KeyMaterial.keyring(config.archive(), false, config.admin().devMode());
        SubjectKeyStore keys = KeyMaterial.subjectKeys(config, keyring);
        AuditChainKeys auditKeys = AuditChainKeys.of(keyring);
        return CliDatabase.run(server, (vertx, pool) -> export(vertx, pool, config, keys, auditKeys, requestId, out, print));
    }

    private static Future<Integer> export(Vertx vertx, Pool pool, AppConfig config, SubjectKeyStore keys,
                                          AuditChainKeys auditKeys, UUID requestId, Path out, PrintStream print) {
        Clock clock = Clock.systemUTC();
        AuditLog audit = new AuditLog(pool, auditKeys, clock);
        String who = System.getProperty("user.name", "unknown");
        SubjectExport export = new SubjectExport(vertx, pool,
                () -> new EncryptedArchive(vertx, new ArchiveRepository(pool), keys), config.privacy(), clock);
        PrivacyRequestRepository requests = new PrivacyRequestRepository(pool);
        JsonObject detail = new JsonObject().put("kind", PrivacyRequests.ACCESS).put("via", "cli");
        return requests.find(requestId).compose(found -> {
            if (found.isEmpty() || !found.get().isAccess() || found.get().subjectErased()) {
                print.println("FAIL no access request " + requestId + " with a subject to export");
                return Future.succeededFuture(2);
            }
            // audited before any personal data is written out, like the API
            return audit.append(entry(who, requestId, "allowed", detail))
                    .compose(seq -> export.prepare(found.get()))
                    .compose(bundle -> vertx.<OutputStream>executeBlocking(() -> Files.newOutputStream(out,
                                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), false)
                            .compose(stream -> export.writeTo(bundle, stream).recover(e ->
                                    // a partial zip must not look like an answer
                                    vertx.executeBlocking(() -> Files.deleteIfExists(out), false)
                                            .transform(ignored -> Future.failedFuture(e)))))
                    .compose(summary -> requests.accessCompleted(requestId, "cli:" + who,
                                    summary.toJson(), clock.instant())
                            .compose(v -> audit.append(entry(who, requestId, "ok", summary.toJson().mergeIn(detail))))
                            .map(seq -> {
                                print.println("ok   wrote " + out + " (" + summary.bundleBytes() + " bytes, "
                                        + summary.recordings() + " recording(s), SHA-256 " + summary.bundleSha256() + ")");
                                return 0;
                            }));
        });
    }

    private static AuditEntry entry(String who, UUID requestId, String outcome, JsonObject detail) {
        return new AuditEntry("cli", null, who, "privacy_requests.export", "privacy_request", requestId.toString(),
                null, "cli", outcome, detail.encode());
    }
}
