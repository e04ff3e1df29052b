package org.consentrecorder.app;

import org.consentrecorder.ari.AriSettings;
import org.consentrecorder.keystore.KeyStoreSettings;
import org.consentrecorder.keystore.PostgresKeyStore;
import org.consentrecorder.store.DatabaseSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.consentrecorder.ari.AriBindingSelector;
import org.consentrecorder.ari.VertxAriHttpClient;
import org.consentrecorder.config.ConfigException;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.DurabilitySettings;
import picocli.CommandLine.Command;

/**
 * Validates the configuration, then tries ARI and the database, printing one line per check.
 * Exits non-zero when anything is wrong, so it can gate a deployment.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate the configuration and try ARI and the database; non-zero exit on any problem.")
final class CheckCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        AppConfig config;
        try {
            config = Main.loadConfig();
            System.out.println("ok   configuration");
        } catch (ConfigException e) {
            System.out.println("FAIL configuration");
            e.problems().forEach(p -> System.out.println("     " + p));
            return 2;
        }
        int failures = 0;
        Vertx vertx = Vertx.vertx();
        try {
            failures += checkKeys(config);
            checkAuditAnchors(config);
            failures += checkKeyStore(config);
            failures += checkAri(vertx, config);
            failures += checkDatabase(vertx, config);
        } finally {
            Application.await(vertx.close());
        }
        return failures == 0 ? 0 : 1;
    }

    private int checkKeys(AppConfig config) {
        if (config.archive().keyringFile().isEmpty() && config.archive().keyringValue().isEmpty()
                && !java.nio.file.Files.exists(KeyMaterial.generatedKeyringPath(config.archive()))) {
            if (config.admin().devMode()) {
                System.out.println("warn keyring: neither CR_KEYRING_FILE nor CR_KEYRING is set; run will generate one at "
                        + KeyMaterial.generatedKeyringPath(config.archive()) + " (CR_DEV_MODE=true: a trial, not production)");
                return 0;
            }
            System.out.println("FAIL keyring: " + KeyMaterial.missingKeyring(KeyMaterial.generatedKeyringPath(config.archive())));
            return 1;
        }
        try {
            var keyring = KeyMaterial.keyring(config.archive(), false, config.admin().devMode());
            System.out.println("ok   keyring: " + keyring.ids().size() + " key-encryption key(s), newest " + keyring.newestId());
            return 0;
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.out.println("FAIL keyring: " + p));
            return 1;
        }
    }

    private void checkAuditAnchors(AppConfig config) {
        var audit = config.audit();
        if (!audit.anchoring()) {
            System.out.println("warn audit anchors: none configured (CR_AUDIT_ANCHOR_FILE, CR_AUDIT_ANCHOR_SYSLOG, "
                    + "CR_AUDIT_TSA_URL): a chain cut short cannot be detected; see docs/key-management.md");
            return;
        }
        System.out.println("ok   audit anchors: every " + audit.interval()
                + audit.anchorFile().map(f -> ", file " + f).orElse("")
                + audit.syslog().map(t -> ", syslog " + t.host() + ":" + t.port()).orElse("")
                + audit.tsaUrl().map(u -> ", TSA " + u.getHost()
                        + (audit.tsaCertificate().isPresent() ? " (certificate pinned)" : " (certificate NOT pinned)"))
                        .orElse(""));
    }

    private int checkKeyStore(AppConfig config) {
        KeyStoreSettings keys = config.keyStore();
        if (!keys.shared()) {
            System.out.println("ok   subject keys: directory " + config.archive().keyStoreDirectory().toAbsolutePath()
                    + " (one instance; " + KeyStoreSettings.KEYSTORE_URL + " for several)");
            return 0;
        }
        try {
            System.out.println("ok   subject keys: shared store " + keys.describe() + ": " + PostgresKeyStore.probe(keys));
            return 0;
        } catch (RuntimeException e) {
            System.out.println("FAIL subject keys: " + e.getMessage() + " - check " + KeyStoreSettings.KEYSTORE_URL + ", "
                    + KeyStoreSettings.KEYSTORE_USER + " and " + KeyStoreSettings.KEYSTORE_PASSWORD);
            return 1;
        }
    }

    /** Every configured Asterisk server: reachable, credentials accepted, a known ARI version. */
    private int checkAri(Vertx vertx, AppConfig config) {
        int failed = 0;
        for (org.consentrecorder.ari.AriServer server : config.ari().servers()) {
            failed += checkAri(vertx, config.ari(), server);
        }
        return failed == 0 ? 0 : 1;
    }

    private int checkAri(Vertx vertx, AriSettings a, org.consentrecorder.ari.AriServer server) {
        HttpClientAgent client = vertx.createHttpClient(a.tls(new io.vertx.core.http.HttpClientOptions()));
        VertxAriHttpClient http = new VertxAriHttpClient(client, server.endpoint(), a.requestTimeout());
        String what = "ARI '" + server.name() + "' " + server.endpoint().describe();
        String credentials = AriSettings.ARI_USER + " and " + AriSettings.ARI_PASSWORD + " (with " + AriSettings.ARI_SERVERS
                + ": " + AriSettings.ARI_SERVER_PREFIX + server.name().toUpperCase(java.util.Locale.ROOT)
                + "_USER and _PASSWORD)";
        try {
            VertxAriHttpClient.Response res = Application.await(http.send("GET", "/api-docs/resources.json", List.of(), null));
            if (res.status() == 401) {
                System.out.println("FAIL " + what + ": credentials refused (HTTP 401) - check " + credentials);
                return 1;
            }
            if (!res.ok()) {
                System.out.println("FAIL " + what + ": HTTP " + res.status());
                return 1;
            }
            String version = new JsonObject(res.body().toString(StandardCharsets.UTF_8)).getString("apiVersion");
            AriBindingSelector.Choice choice = AriBindingSelector.select(version);
            System.out.println("ok   " + what + ": ARI " + version + ", binding "
                    + choice.binding().version() + choice.warning().map(w -> " (warning: " + w + ")").orElse(""));
            return 0;
        } catch (Exception e) {
            System.out.println("FAIL " + what + ": " + rootMessage(e) + " - check " + AriSettings.ARI_URL + " (or "
                    + AriSettings.ARI_SERVERS + ")");
            return 1;
        } finally {
            client.close();
        }
    }

    private int checkDatabase(Vertx vertx, AppConfig config) {
        if (config.database().embedded()) {
            System.out.println("ok   database: embedded PostgreSQL in " + config.database().embeddedDirectory().toAbsolutePath()
                    + " (started by run with fsync, synchronous_commit and full_page_writes on; "
                    + DatabaseSettings.DB_URL + " is not set)");
            return 0;
        }
        Pool pool = null;
        try (DatabaseServer server = DatabaseServer.start(config.database())) {
            pool = PgBuilder.pool().connectingTo(server.connectOptions()).using(vertx).build();
            String version = Application.await(pool.query("show server_version").execute()).iterator().next().getString(0);
            System.out.println("ok   database " + server.describe() + ": PostgreSQL " + version);
            reportDurability(Application.await(DurabilitySettings.read(pool)));
            reportRole(Application.await(pool.query("select r.rolsuper, coalesce((select pg_has_role(current_user, "
                    + "c.relowner, 'USAGE') from pg_class c where c.oid = to_regclass('public.audit_log')), false) "
                    + "from pg_roles r where r.rolname = current_user").execute()).iterator().next(), server.user());
            return 0;
        } catch (Exception e) {
            System.out.println("FAIL database: " + rootMessage(e) + " - check " + DatabaseSettings.DB_URL + ", "
                    + DatabaseSettings.DB_USER + " and " + DatabaseSettings.DB_PASSWORD);
            return 1;
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
    }

    /** Warnings, not failures: a service that may rewrite its own audit trail works, but should not be able to. */
    private static void reportRole(io.vertx.sqlclient.Row row, String user) {
        if (row.getBoolean(0)) {
            System.out.println("warn database role: " + DatabaseSettings.DB_USER + " (" + user + ") is a superuser; give "
                    + "the service a role of its own (docs/operations.md, \"Database roles\")");
        } else if (row.getBoolean(1)) {
            System.out.println("warn database role: " + DatabaseSettings.DB_USER + " (" + user + ") owns the audit trail "
                    + "and could drop its append-only triggers; migrate as " + DatabaseSettings.DB_OWNER_USER
                    + " (docs/operations.md, \"Database roles\")");
        } else {
            System.out.println("ok   database role: " + user + " is no superuser and owns neither the audit trail nor "
                    + "the evidence");
        }
    }

    /** Warnings, not failures: the server is usable, but a crash could lose what the archive promised to keep. */
    private static void reportDurability(DurabilitySettings durability) {
        if (durability.problems().isEmpty()) {
            System.out.println("ok   database durability: " + durability.describe());
            return;
        }
        durability.problems().forEach(p -> System.out.println("warn database durability: " + p));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
