package org.consentrecorder.app;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.consentrecorder.admin.HealthRoutes;
import org.consentrecorder.ari.AriConnection;
import org.consentrecorder.call.CallRegistry;
import org.consentrecorder.call.CallShards;
import org.consentrecorder.config.AppConfig;
import org.consentrecorder.store.CallRepository;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.Migrations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the application: database (embedded or configured) and migrations first, then Vert.x,
 * the HTTP server (health, admin API), the call shards and the ARI connection. Start-up blocks
 * the main thread only; once running, everything happens on Vert.x event loops.
 */
public final class Application implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Application.class);
    private static final int ARI_CONNECTIONS = 32;

    private final AppConfig config;
    private final DatabaseServer database;
    private final Vertx vertx;
    private final Pool pool;
    private final CallRepository repository;
    private final CallRegistry registry;
    private final AriConnection ari;
    private final HttpServer httpServer;

    private Application(AppConfig config, DatabaseServer database, Vertx vertx, Pool pool, CallRepository repository,
                        CallRegistry registry, AriConnection ari, HttpServer httpServer) {
        this.config = config;
        this.database = database;
        this.vertx = vertx;
        this.pool = pool;
        this.repository = repository;
        this.registry = registry;
        this.ari = ari;
        this.httpServer = httpServer;
    }

    /** Starts with its own database server (embedded or configured). */
    public static Application start(AppConfig config) throws Exception {
        DatabaseServer database = DatabaseServer.start(config.database());
        try {
            return start(config, database);
        } catch (Exception e) {
            database.close();
            throw e;
        }
    }

    /** Starts against a database server the caller owns (tests). */
    public static Application start(AppConfig config, DatabaseServer database) throws Exception {
        Migrations.migrate(database);
        // epoll where available: waking another event loop is then lock-free (NIO's selector wake-up
        // takes a lock the woken loop must wait for, milliseconds on a busy machine; see bench/results)
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        LOG.info("Vert.x transport: {}", vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO");
        try {
            Pool pool = PgBuilder.pool()
                    .with(new io.vertx.sqlclient.PoolOptions().setMaxSize(config.database().poolSize()))
                    .connectingTo(database.connectOptions())
                    .using(vertx)
                    .build();
            CallRepository repository = new CallRepository(pool);
            await(repository.registerNotices(config.calls().ivr().notices().all()));

            CallShards shards = await(CallShards.deploy(vertx, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE));
            Holder holder = new Holder();
            CallRegistry registry = new CallRegistry(vertx, shards, config.calls(), repository,
                    () -> holder.ari == null ? null : holder.ari.client(), Clock.systemUTC(),
                    config.ari().endpoint().application());

            // the ARI connection owns one context: events leave it in the order Asterisk sent them
            Promise<AriConnection> ariReady = Promise.promise();
            await(vertx.deployVerticle(new AbstractVerticle() {
                @Override
                public void start() {
                    AppConfig.AriConfig a = config.ari();
                    // a client per event loop, so that a call's requests and their answers stay on the
                    // call's thread; ARI_CONNECTIONS shared among the loops (http.conf sessionlimit: 100)
                    int perLoop = Math.max(4, ARI_CONNECTIONS / VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
                    AriConnection connection = new AriConnection(vertx, context, a.endpoint(),
                            () -> vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                                            .setConnectTimeout((int) a.requestTimeout().toMillis()),
                                    new PoolOptions().setHttp1MaxSize(perLoop)),
                            vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
                                    .setMaxMessageSize(16 << 20)),
                            a.requestTimeout(), a.reconnectMin(), a.reconnectMax(), registry);
                    registry.scheduleSweep(a.sweepInterval(), connection::connected);
                    ariReady.complete(connection);
                }
            }, new DeploymentOptions()));
            AriConnection ari = await(ariReady.future());
            holder.ari = ari;

            Router router = Router.router(vertx);
            HealthRoutes.mount(router, ari, pool);
            HttpServer server = await(vertx.createHttpServer()
                    .requestHandler(router)
                    .listen(config.http().port(), config.http().host()));
            LOG.info("HTTP server on {}:{} (health: /health/live, /health/ready)", config.http().host(), server.actualPort());

            ari.start();
            return new Application(config, database, vertx, pool, repository, registry, ari, server);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
    }

    /** The ARI connection is created inside a verticle; the registry reads it through this. */
    private static final class Holder {
        volatile AriConnection ari;
    }

    public int httpPort() {
        return httpServer.actualPort();
    }

    public AriConnection ari() {
        return ari;
    }

    public CallRegistry calls() {
        return registry;
    }

    public Pool pool() {
        return pool;
    }

    public Vertx vertx() {
        return vertx;
    }

    public AppConfig config() {
        return config;
    }

    public CallRepository repository() {
        return repository;
    }

    @Override
    public void close() throws Exception {
        try {
            await(ari.stop());
        } catch (Exception e) {
            LOG.debug("stopping ARI: {}", e.getMessage());
        }
        await(vertx.close());
        database.close();
    }

    static <T> T await(Future<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
