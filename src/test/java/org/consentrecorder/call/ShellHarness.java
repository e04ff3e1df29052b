package org.consentrecorder.call;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.ari.AriConnection;
import org.consentrecorder.ari.AriSettings;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.Migrations;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.ari.FakeAsterisk;

/**
 * The call feature alone, wired as the application wires it (registry, shards, repository, ARI
 * connection) against the ARI double and a real PostgreSQL, but with a core and a command table the
 * test chooses: how the tests prove that the shell fails closed. Nothing else of the application
 * (archive, admin API) runs.
 */
final class ShellHarness implements AutoCloseable {
    final FakeAsterisk asterisk;
    final CallRegistry registry;
    final CallSettings settings;
    private final Vertx vertx;
    private final Pool pool;
    private final AriConnection ari;

    private ShellHarness(FakeAsterisk asterisk, Vertx vertx, Pool pool, CallRegistry registry, AriConnection ari,
                         CallSettings settings) {
        this.asterisk = asterisk;
        this.vertx = vertx;
        this.pool = pool;
        this.registry = registry;
        this.ari = ari;
        this.settings = settings;
    }

    /** core: given the production settings, the core the shell runs. */
    static ShellHarness start(java.util.function.Function<CallSettings, CallLogic> core, ShellCommands commands) {
        FakeAsterisk asterisk = FakeAsterisk.start();
        asterisk.playbackDuration(java.time.Duration.ofMillis(200));
        Map<String, String> env = new HashMap<>();
        env.put(AriSettings.ARI_URL, asterisk.url());
        env.put(AriSettings.ARI_USER, FakeAsterisk.USER);
        env.put(AriSettings.ARI_PASSWORD, FakeAsterisk.PASSWORD);
        env.put(AriSettings.ARI_RECONNECT_MIN, "50ms");
        env.put(AriSettings.ARI_RECONNECT_MAX, "200ms");
        env.put(CallSettingsLoader.IVR_TIMEOUT, "1s");
        env.put(CallSettingsLoader.TEARDOWN_TIMEOUT, "2s");
        ConfigReader reader = new ConfigReader(ConfigSource.of(env));
        AriSettings ariSettings = AriSettings.load(reader);
        CallSettings settings = CallSettingsLoader.load(reader);
        reader.throwIfProblems();

        DatabaseServer database = TestDatabase.fresh();
        Migrations.migrate(database);
        Vertx vertx = Vertx.vertx();
        try {
            Pool pool = PgBuilder.pool().connectingTo(database.connectOptions()).using(vertx).build();
            // the suppression list's keyed hash under a throwaway key, as the subject key store computes it
            org.consentrecorder.crypto.SubjectKeyStore keys = new org.consentrecorder.crypto.InMemorySubjectKeyStore(
                    org.consentrecorder.crypto.Keyring.of(List.of(org.consentrecorder.crypto.Kek.of(
                            org.consentrecorder.crypto.KekId.parse("shell-test:1"), new byte[32]))));
            CallRepository repository = new CallRepository(pool, keys::suppressionDigest);
            await(repository.registerNotices(settings.ivr().notices().all()));
            CallShards shards = await(CallShards.deploy(vertx, 2));
            AriConnection[] holder = new AriConnection[1];
            CallRegistry registry = new CallRegistry(vertx, shards, settings, repository,
                    () -> holder[0] == null ? null : holder[0].client(), Clock.systemUTC(),
                    ariSettings.endpoint().application(), FinishedRecordings.NONE, core.apply(settings), commands);
            Promise<AriConnection> ready = Promise.promise();
            await(vertx.deployVerticle(new AbstractVerticle() {
                @Override
                public void start() {
                    ready.complete(new AriConnection(vertx, context, ariSettings.endpoint(),
                            () -> vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions()),
                            vertx.createWebSocketClient(new WebSocketClientOptions()), ariSettings.requestTimeout(),
                            ariSettings.reconnectMin(), ariSettings.reconnectMax(), registry));
                }
            }, new DeploymentOptions()));
            AriConnection ari = await(ready.future());
            holder[0] = ari;
            ari.start();
            asterisk.await("the ARI connection", ari::connected, AppHarness.WAIT);
            return new ShellHarness(asterisk, vertx, pool, registry, ari, settings);
        } catch (Exception e) {
            vertx.close();
            asterisk.close();
            throw new IllegalStateException(e);
        }
    }

    List<Map<String, Object>> rows(String sql, Object... params) {
        return await(pool.preparedQuery(sql).execute(Tuple.wrap(List.of(params))).map(rs -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Row r : rs) {
                Map<String, Object> m = new HashMap<>();
                for (int i = 0; i < r.size(); i++) {
                    m.put(r.getColumnName(i), r.getValue(i));
                }
                out.add(m);
            }
            return out;
        }));
    }

    void awaitRows(String sql, Object... params) {
        asterisk.await("rows for " + sql, () -> !rows(sql, params).isEmpty(), AppHarness.WAIT);
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            await(ari.stop());
        } finally {
            vertx.close();
            asterisk.close();
        }
    }
}
