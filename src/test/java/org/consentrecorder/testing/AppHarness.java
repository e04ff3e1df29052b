package org.consentrecorder.testing;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.app.Application;
import org.consentrecorder.app.AppConfig;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.testing.ari.FakeAsterisk;

/**
 * The real application, started against the ARI double and a real PostgreSQL, as one unit
 * for integration tests. Prompts are short so a whole call takes a second or two.
 */
public final class AppHarness implements AutoCloseable {
    /** An upper bound for waits on a shared, busy machine (a wait ends as soon as its condition holds). */
    public static final Duration WAIT = Duration.ofSeconds(30);
    /** A fixed test KEK (32 zero-free bytes); production keys come from a keyring file or CR_KEYRING. */
    public static final String TEST_KEYRING = "kek-test:1=" + java.util.Base64.getEncoder().encodeToString(
            "consent-recorder test KEK 32 byt".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    /** The audit chain's keys under {@link #TEST_KEYRING}, as the test application derives them. */
    public static org.consentrecorder.crypto.AuditChainKeys auditKeys() {
        return org.consentrecorder.crypto.AuditChainKeys.of(org.consentrecorder.crypto.KeyringLoader.load(null, TEST_KEYRING));
    }

    static java.nio.file.Path tempDir(String prefix) {
        return TempDirs.create(prefix);
    }

    /** The first admin every test application starts with. */
    public static final String ADMIN_USER = "root-admin";
    public static final String ADMIN_PASSWORD = "Test-admin-secret-4711!";

    public final FakeAsterisk asterisk;
    public final DatabaseServer database;
    public final Application app;
    private final Map<String, String> env;
    /**
     * The test's own connection to the database, as the schema's owner (someone with database rights,
     * not the application's role): it outlives a killed application.
     */
    private final io.vertx.core.Vertx testVertx;
    private final io.vertx.sqlclient.Pool testPool;

    private AppHarness(FakeAsterisk asterisk, DatabaseServer database, Application app, Map<String, String> env) {
        this.asterisk = asterisk;
        this.database = database;
        this.app = app;
        this.env = env;
        this.testVertx = io.vertx.core.Vertx.vertx();
        this.testPool = io.vertx.pgclient.PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(2))
                .connectingTo(database.ownerConnectOptions()).using(testVertx).build();
    }

    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    public static Map<String, String> baseEnv(FakeAsterisk asterisk) {
        Map<String, String> env = new HashMap<>();
        env.put("CR_ARI_URL", asterisk.url());
        env.put("CR_ARI_USER", FakeAsterisk.USER);
        env.put("CR_ARI_PASSWORD", FakeAsterisk.PASSWORD);
        env.put("CR_HTTP_HOST", "127.0.0.1");
        env.put("CR_HTTP_PORT", "0");
        env.put("CR_IVR_TIMEOUT", "1s");
        env.put("CR_ARI_RECONNECT_MIN", "50ms");
        env.put("CR_ARI_RECONNECT_MAX", "200ms");
        env.put("CR_TEARDOWN_TIMEOUT", "2s");
        env.put("CR_IVR_REGRANT_WINDOW", "300ms");
        env.put("CR_KEYRING", TEST_KEYRING);
        env.put("CR_KEYSTORE_DIR", tempDir("keys").toString());
        env.put("CR_ARCHIVE_POLL", "100ms");
        env.put("CR_ARCHIVE_RETRY_MIN", "50ms");
        env.put("CR_ARCHIVE_RETRY_MAX", "500ms");
        env.put("CR_ARCHIVE_LEASE", "2s");
        env.put("CR_ADMIN_USER", ADMIN_USER);
        env.put("CR_ADMIN_PASSWORD", ADMIN_PASSWORD);
        // tests that are not about the second factor sign in with a password; MfaApiTest runs with
        // the production default (every data role and admin need TOTP)
        env.put("CR_MFA_REQUIRED_ROLES", "none");
        return env;
    }

    public static AppHarness start(Map<String, String> overrides) {
        return start(FakeAsterisk.start(), TestDatabase.fresh(), overrides);
    }

    public static AppHarness start(FakeAsterisk asterisk, DatabaseServer database, Map<String, String> overrides) {
        return start(asterisk, database, overrides, org.consentrecorder.archive.ArchiveCheckpoints.NONE);
    }

    /**
     * As {@link #start(FakeAsterisk, DatabaseServer, Map)}, waiting up to {@code connectWait} for the first ARI
     * connection: over TLS the start-up warm-up opens every pooled connection with a handshake of its own,
     * which takes longer than {@link #WAIT} on a loaded machine.
     */
    public static AppHarness start(FakeAsterisk asterisk, DatabaseServer database, Map<String, String> overrides,
                                   Duration connectWait) {
        return start(asterisk, database, overrides, org.consentrecorder.archive.ArchiveCheckpoints.NONE, connectWait);
    }

    public static AppHarness start(FakeAsterisk asterisk, DatabaseServer database, Map<String, String> overrides,
                                   org.consentrecorder.archive.ArchiveCheckpoints checkpoints) {
        return start(asterisk, database, overrides, checkpoints, WAIT);
    }

    private static AppHarness start(FakeAsterisk asterisk, DatabaseServer database, Map<String, String> overrides,
                                    org.consentrecorder.archive.ArchiveCheckpoints checkpoints, Duration connectWait) {
        asterisk.playbackDuration(Duration.ofMillis(200));
        Map<String, String> env = baseEnv(asterisk);
        env.putAll(overrides);
        try {
            Application app = Application.start(AppConfig.load(ConfigSource.of(env)), database, checkpoints);
            AppHarness h = new AppHarness(asterisk, database, app, env);
            try {
                asterisk.await("the app to connect", () -> app.ari().connected(), connectWait);
            } catch (AssertionError e) {
                h.close();
                throw e;
            }
            return h;
        } catch (Exception e) {
            asterisk.close();
            throw new IllegalStateException(e);
        }
    }

    /** Restarts the application only (same double, same database): a crash-and-restart. */
    public AppHarness restartApp(Map<String, String> overrides) throws Exception {
        app.close();
        return restartAppAfterClose(overrides);
    }

    /** Starts the application again after the test closed it (things may happen in between). */
    public AppHarness restartAppAfterClose(Map<String, String> overrides) throws Exception {
        return restartAppAfterClose(overrides, org.consentrecorder.archive.ArchiveCheckpoints.NONE);
    }

    /** Same keys, same database, same Asterisk: what a restarted process would find. */
    public AppHarness restartAppAfterClose(Map<String, String> overrides,
                                           org.consentrecorder.archive.ArchiveCheckpoints checkpoints) throws Exception {
        Map<String, String> again = new HashMap<>(env);
        again.putAll(overrides);
        Application app2 = Application.start(AppConfig.load(ConfigSource.of(again)), database, checkpoints);
        AppHarness h = new AppHarness(asterisk, database, app2, again);
        testVertx.close();
        asterisk.await("the app to reconnect", () -> app2.ari().connected(), WAIT);
        return h;
    }

    /**
     * An operator account with its own password, as the command line's break-glass {@code admin
     * create} makes it: tests that need a compliance or supervisor account start from here, since
     * the API gives such a role only with a second admin's approval.
     */
    public void operator(String username, String password, String role) {
        String hash = new org.consentrecorder.admin.PasswordHasher().hash(password);
        rows("insert into operator_account (id, username, password_hash, role, disabled, created_at, created_by, "
                + "password_changed_at, updated_at) values (gen_random_uuid(), $1, $2, $3, false, now(), 'cli', now(), now())",
                username, hash, role);
    }

    public List<Map<String, Object>> rows(String sql, Object... params) {
        Future<List<Map<String, Object>>> f = testPool.preparedQuery(sql).execute(Tuple.wrap(List.of(params)))
                .map(rs -> {
                    List<Map<String, Object>> out = new ArrayList<>();
                    for (Row r : rs) {
                        Map<String, Object> m = new HashMap<>();
                        for (int i = 0; i < r.size(); i++) {
                            m.put(r.getColumnName(i), r.getValue(i));
                        }
                        out.add(m);
                    }
                    return out;
                });
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Waits until the query returns at least one row. */
    public List<Map<String, Object>> awaitRows(String sql, Object... params) {
        List<List<Map<String, Object>>> found = new ArrayList<>();
        asterisk.await("rows for " + sql, () -> {
            List<Map<String, Object>> r = rows(sql, params);
            if (r.isEmpty()) {
                return false;
            }
            found.add(r);
            return true;
        }, WAIT);
        return found.get(found.size() - 1);
    }

    public void awaitNoLiveCalls() {
        asterisk.await("no live calls in the registry", () -> app.calls().liveCount() == 0, WAIT);
    }

    @Override
    public void close() {
        try {
            app.close();
        } catch (Exception e) {
            // best effort
        }
        asterisk.close();
        testVertx.close();
    }
}
