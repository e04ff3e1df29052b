package org.consentrecorder.app;

import org.consentrecorder.ari.AriClients;
import org.consentrecorder.ari.AriServer;
import org.consentrecorder.ari.AriSettings;
import org.consentrecorder.call.CallDirectory;
import org.consentrecorder.call.CallSettingsLoader;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.consentrecorder.admin.AdminApi;
import org.consentrecorder.admin.HttpServerGuard;
import org.consentrecorder.admin.AdminBootstrap;
import org.consentrecorder.admin.AuditAnchoring;
import org.consentrecorder.crypto.AuditChainKeys;
import org.consentrecorder.admin.HealthRoutes;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriConnection;
import org.consentrecorder.call.CallRegistry;
import org.consentrecorder.call.CallShards;
import org.consentrecorder.crypto.Keyring;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.privacy.PrivacyCheckpoints;
import org.consentrecorder.privacy.PrivacyServices;
import org.consentrecorder.archive.ArchiveCheckpoints;
import org.consentrecorder.archive.ArchivePipeline;
import org.consentrecorder.archive.EncryptedArchive;
import org.consentrecorder.call.PauseStyle;
import org.consentrecorder.archive.RecordingArchive;
import org.consentrecorder.archive.ArchiveRepository;
import org.consentrecorder.call.CallRepository;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.DurabilitySettings;
import org.consentrecorder.store.LeaseSettings;
import org.consentrecorder.store.Migrations;
import org.consentrecorder.store.ServerLease;
import org.consentrecorder.observability.Observability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Wires the application: database (embedded or configured) and migrations first, then Vert.x,
 * the HTTP server (health, admin API), the call shards and the ARI connection. Start-up blocks
 * the main thread only; once running, everything happens on Vert.x event loops.
 */
public final class Application implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Application.class);
    private static final int ARI_CONNECTIONS = 32;
    /** Per event loop, for pause/unpause/mute/unmute/stop only (see VertxAriHttpClient). */
    private static final int ARI_CONTROL_CONNECTIONS_PER_LOOP = 2;
    /** Below Asterisk's default session_keep_alive (15 s), above ControlConnectionKeepAlive's interval. */
    private static final int CLIENT_KEEP_ALIVE_SECONDS = 10;

    private final AppConfig config;
    private final DatabaseServer database;
    private final Vertx vertx;
    private final Pool pool;
    private final CallRepository repository;
    private final CallDirectory calls;
    private final java.util.Map<String, ServerUnit> units;
    private final HttpServer httpServer;
    private final Router router;
    private final AtomicReference<RecordingArchive> archive;

    private final ArchivePipeline pipeline;
    private final SubjectKeyStore subjectKeys;
    private final PrivacyServices privacy;
    private final Observability observability;
    private final HttpServer metricsServer;
    private volatile AdminApi adminApi;
    private volatile AuditAnchoring auditAnchoring;

    private Application(AppConfig config, DatabaseServer database, Vertx vertx, Pool pool, CallRepository repository,
                        CallDirectory calls, java.util.Map<String, ServerUnit> units, HttpServer httpServer,
                        Router router,
                        AtomicReference<RecordingArchive> archive, ArchivePipeline pipeline,
                        SubjectKeyStore subjectKeys, PrivacyServices privacy, Observability observability,
                        HttpServer metricsServer) {
        this.privacy = privacy;
        this.observability = observability;
        this.metricsServer = metricsServer;
        this.pipeline = pipeline;
        this.subjectKeys = subjectKeys;
        this.config = config;
        this.database = database;
        this.vertx = vertx;
        this.pool = pool;
        this.repository = repository;
        this.calls = calls;
        this.units = units;
        this.httpServer = httpServer;
        this.router = router;
        this.archive = archive;
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
        return start(config, database, ArchiveCheckpoints.NONE);
    }

    /** As above, with the archive's crash points observable (the crash tests stop it at one). */
    public static Application start(AppConfig config, DatabaseServer database, ArchiveCheckpoints checkpoints)
            throws Exception {
        return start(config, database, checkpoints, PrivacyCheckpoints.NONE);
    }

    /** As above, with the crash points of erasure and retention observable too. */
    public static Application start(AppConfig config, DatabaseServer database, ArchiveCheckpoints checkpoints,
                                    PrivacyCheckpoints privacyCheckpoints) throws Exception {
        Keyring keyring = KeyMaterial.keyring(config.archive(), config.admin().devMode());
        SubjectKeyStore subjectKeys = KeyMaterial.subjectKeys(config, keyring);
        Migrations.migrate(database);
        // epoll where available: waking another event loop is then lock-free (NIO's selector wake-up
        // takes a lock the woken loop must wait for, milliseconds on a busy machine; see bench/results)
        // metrics first: Vert.x reports into the registry from its first server, client and pool on
        Observability observability = new Observability(config.observability());
        Vertx vertx = observability.vertxBuilder(new VertxOptions().setPreferNativeTransport(true)).build();
        LOG.info("Vert.x transport: {}", vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO");
        if (config.calls().recording().pauseStyle() == PauseStyle.SILENCE) {
            LOG.warn("{}=silence: only the first payment pause of each recording is written as silence (ARI mute); "
                    + "later ones are cut out (ARI pause), because Asterisk releases without the fix for "
                    + "asterisk/asterisk#322 ignore a second mute", CallSettingsLoader.PAUSE_STYLE);
        }
        try {
            Pool pool = PgBuilder.pool()
                    .with(new io.vertx.sqlclient.PoolOptions().setMaxSize(config.database().poolSize())
                            .setName(Observability.DB_POOL_NAME))
                    .connectingTo(database.connectOptions())
                    .using(vertx)
                    .build();
            // a server that may lose commits breaks the archive's promise; say so loudly (check says it too)
            DurabilitySettings durability = await(DurabilitySettings.read(pool));
            durability.problems().forEach(p -> LOG.warn("database {}: {}", database.describe(), p));
            Holder holder = new Holder();
            // one unit per Asterisk server: its lease (active/standby), its calls and its ARI connection; a server
            // going away, reconnecting or changing hands touches only its own unit
            LeaseSettings leaseSettings = config.lease();
            java.util.Map<String, ServerUnit> units = new java.util.LinkedHashMap<>();
            java.util.concurrent.atomic.AtomicBoolean warmingStarted = new java.util.concurrent.atomic.AtomicBoolean();
            for (AriServer server : config.ari().servers()) {
                ServerUnit unit = new ServerUnit(server);
                units.put(server.name(), unit);
                // active/standby: this instance acts on the server only while it holds the server's lease
                unit.standby = !leaseSettings.enabled() ? null : new ActiveStandby(vertx,
                        new ServerLease(pool, server.name(), leaseSettings.instanceId()), leaseSettings,
                        generation -> {
                            unit.ari.start();
                            return Future.succeededFuture();
                        },
                        why -> {
                            unit.registry.relinquishAll("this instance no longer holds ARI server '" + server.name()
                                    + "': " + why);
                            unit.ari.stop();
                        },
                        // a standby runs the CPU part of the warm-up while it waits (no request to Asterisk), so that
                        // a take-over pays only for opening its connections (issue 14: the first pause must be warm);
                        // once per process, whichever server it first stands by for
                        () -> {
                            if (!warmingStarted.compareAndSet(false, true)) {
                                return;
                            }
                            vertx.executeBlocking(() -> HotPathWarmup.exercise(
                                    new org.consentrecorder.ari.AriEventDecoder(
                                            org.consentrecorder.ari.AriBindingSelector.newest()),
                                    config.calls(), HotPathWarmup.FIRST_ROUNDS), false).onComplete(ar -> {
                                        if (ar.succeeded()) {
                                            holder.prewarmed = true;
                                            LOG.info("standby: hot path warmed for a take-over");
                                        } else {
                                            LOG.warn("standby: warming the hot path failed: {}", ar.cause().getMessage());
                                        }
                                    });
                        });
                unit.repository = new CallRepository(pool, subjectKeys::suppressionDigest, server.name(),
                        unit.standby == null ? org.consentrecorder.store.Fence.NONE : unit.standby);
            }
            CallRepository repository = units.values().iterator().next().repository;
            await(repository.registerNotices(config.calls().ivr().notices().all()));

            CallShards shards = await(CallShards.deploy(vertx, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE));
            // each server's client, withheld whenever this instance may not act on that server (standby, or its
            // lease past its own deadline)
            AriClients ariClients = new AriClients() {
                @Override
                public AriClient client(String server) {
                    ServerUnit unit = units.get(server);
                    return unit == null ? null : unit.client();
                }

                @Override
                public java.util.List<String> servers() {
                    return java.util.List.copyOf(units.keySet());
                }
            };
            ArchiveRepository archiveRepository = new ArchiveRepository(pool);
            Promise<ArchivePipeline> pipelineReady = Promise.promise();
            await(vertx.deployVerticle(new AbstractVerticle() {
                @Override
                public void start() {
                    pipelineReady.complete(new ArchivePipeline(vertx, context, archiveRepository, ariClients,
                            subjectKeys, config.archive(), checkpoints, Clock.systemUTC()));
                }
            }, new DeploymentOptions()));
            ArchivePipeline pipeline = await(pipelineReady.future());
            String format = config.calls().recording().format();
            int perLoop = Math.max(4, ARI_CONNECTIONS / VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
            for (ServerUnit unit : units.values()) {
                String name = unit.server.name();
                CallRegistry registry = new CallRegistry(vertx, shards, config.calls(), unit.repository, unit::client,
                        Clock.systemUTC(), config.ari().application(),
                        (callId, recording, outName, outOffset, consentId, subject, duration) -> pipeline.recordingFinished(
                                name, callId, recording, outName, outOffset, consentId,
                                ArchivePipeline.subjectOf(subject, callId), format, duration));
                unit.registry = registry;
                unit.ari = await(deployConnection(vertx, config.ari(), config.calls(), unit, shards, pipeline, holder, perLoop));
                ControlConnectionKeepAlive.start(vertx, shards.contexts(), () -> {
                    AriClient client = unit.client();
                    return client == null ? null : client.http();
                }, ARI_CONTROL_CONNECTIONS_PER_LOOP, ControlConnectionKeepAlive.INTERVAL, name);
                if (unit.standby != null) {
                    unit.ari.identifyAs(leaseSettings.instanceId());
                }
            }
            CallDirectory calls = new CallDirectory(units.values().stream().map(u -> u.registry).toList());
            java.util.Map<String, AriConnection> connections = new java.util.LinkedHashMap<>();
            units.forEach((name, unit) -> connections.put(name, unit.ari));
            java.util.function.Predicate<String> standingBy = name -> {
                ServerUnit unit = units.get(name);
                return unit != null && unit.standby != null && unit.standby.standingBy();
            };

            // the audit key is derived from the keyring and never stored; anchors go outside the database
            AuditAnchoring auditAnchoring = new AuditAnchoring(vertx, pool, AuditChainKeys.of(keyring), config.audit(),
                    Clock.systemUTC());
            await(AdminBootstrap.run(vertx, pool, config.admin(), auditAnchoring.keys(), Clock.systemUTC()));
            Router router = Router.router(vertx);
            HealthRoutes.mount(router, connections, pool, standingBy);
            // audio is decrypted through the encrypted archive; tests may plug in another with useRecordingArchive
            AtomicReference<RecordingArchive> archive = new AtomicReference<>(
                    new EncryptedArchive(vertx, archiveRepository, subjectKeys));
            PrivacyServices privacy = new PrivacyServices(vertx, pool, registerFacts(config), subjectKeys, ariClients, archive::get,
                    Clock.systemUTC(), privacyCheckpoints);
            AdminApi adminApi = AdminApi.mount(router, vertx, config.admin(), pool, calls, archive::get,
                    pipeline.quarantine(), config.calls().ivr().identity(), privacy, keyring, auditAnchoring,
                    Clock.systemUTC());
            holder.adminApi = adminApi;
            HttpServerGuard guard = new HttpServerGuard(vertx, config.http(), config.admin().tls().isPresent());
            HttpServerOptions serverOptions = guard.apply(new HttpServerOptions());
            config.admin().tls().ifPresent(tls -> serverOptions.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(tls.certificate().toString()).setKeyPath(tls.key().toString())));
            observability.attach(new Observability.Observed(vertx, pool, connections, standingBy, calls, pipeline,
                    privacy.retention(),
                    config.privacy().retentionInterval(), adminApi, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE,
                    Clock.systemUTC()));
            HttpServer metricsServer = await(observability.mount(router, adminApi, serverOptions));
            HttpServer server = await(guard.install(vertx.createHttpServer(serverOptions), router)
                    .listen(config.http().port(), config.http().host()));
            LOG.info("HTTP{} server on {}:{} (health: /health/live, /health/ready; admin API: {})",
                    config.admin().tls().isPresent() ? "S" : "", config.http().host(), server.actualPort(),
                    AdminApi.BASE);

            for (ServerUnit unit : units.values()) {
                if (unit.standby == null) {
                    unit.ari.start();
                } else {
                    // the lease first: the ARI connection opens once this instance holds the server
                    await(vertx.deployVerticle(new AbstractVerticle() {
                        @Override
                        public void start() {
                            unit.standby.start(context);
                        }
                    }, new DeploymentOptions()));
                }
            }
            pipeline.start();
            auditAnchoring.start();
            // the retention timer lives on a context of its own, like the archive pipeline
            await(vertx.deployVerticle(new AbstractVerticle() {
                @Override
                public void start() {
                    privacy.retention().start(context);
                }
            }, new DeploymentOptions()));
            Application app = new Application(config, database, vertx, pool, repository, calls, units, server, router,
                    archive, pipeline, subjectKeys, privacy, observability, metricsServer);
            app.adminApi = holder.adminApi;
            app.auditAnchoring = auditAnchoring;
            return app;
        } catch (Exception e) {
            vertx.close();
            observability.close();
            throw e;
        }
    }

    /** What start-up shares between its steps and callbacks. */
    private static final class Holder {
        volatile AdminApi adminApi;
        volatile boolean prewarmed;
    }

    /**
     * One Asterisk server as this instance serves it: its lease (with CR_HA), its calls and its ARI connection. The
     * connection is created inside a verticle; the callbacks read it through this.
     */
    private static final class ServerUnit {
        final AriServer server;
        volatile ActiveStandby standby;
        volatile CallRepository repository;
        volatile CallRegistry registry;
        volatile AriConnection ari;

        ServerUnit(AriServer server) {
            this.server = server;
        }

        /** The server's client, or null while not connected or while this instance may not act on the server. */
        AriClient client() {
            AriConnection connection = ari;
            if (connection == null || (standby != null && !standby.mayAct())) {
                return null;
            }
            return connection.client();
        }
    }

    /**
     * The ARI connection of one server, owning one context: its events leave it in the order Asterisk sent them.
     * After every (re)connect: that server's calls first (its events wait for it), then its stored recordings.
     */
    private static Future<AriConnection> deployConnection(Vertx vertx, AriSettings a,
                                                          org.consentrecorder.call.CallSettings callSettings,
                                                          ServerUnit unit, CallShards shards, ArchivePipeline pipeline, Holder holder,
                                                          int perLoop) {
        CallRegistry registry = unit.registry;
        String name = unit.server.name();
        AriConnection.Listener listener = new AriConnection.Listener() {
            private boolean warmed;

            @Override
            public Future<Void> beforeSubscribe(AriClient client, org.consentrecorder.ari.AriEventDecoder decoder) {
                // the first pause after a start or a take-over must not pay for cold code and
                // unopened connections (issue 14): warm the path before any event can arrive
                boolean first = !warmed && !holder.prewarmed;
                warmed = true;
                return HotPathWarmup.run(vertx, decoder, callSettings, shards.contexts(), () -> client,
                        perLoop, first);
            }

            @Override
            public Future<Void> resync(AriClient client) {
                return registry.resync(client).onSuccess(v -> pipeline.reconcile(name)
                        .onFailure(e -> LOG.warn("archive reconciliation of ARI server '{}' failed: {}", name,
                                ExternalText.forLog(e.getMessage()))));
            }

            @Override
            public java.util.Set<String> eventTypes() {
                return org.consentrecorder.call.AriEventTranslator.HANDLED_TYPES;
            }

            @Override
            public void onEvent(ch.loway.oss.ari4java.generated.models.Message event) {
                registry.onEvent(event);
            }

            @Override
            public boolean onTrigger(org.consentrecorder.ari.TriggerFrame trigger) {
                return registry.onTrigger(trigger);
            }

            @Override
            public void onDisconnected() {
                registry.onDisconnected();
            }
        };
        Promise<AriConnection> ariReady = Promise.promise();
        return vertx.deployVerticle(new AbstractVerticle() {
            @Override
            public void start() {
                // a client per event loop, so that a call's requests and their answers stay on the
                // call's thread; ARI_CONNECTIONS shared among the loops (http.conf sessionlimit: 100)
                // TCP_NODELAY (Vert.x's default, set here so it stays): a pause is one small request
                // that must leave at once, not wait for Nagle to coalesce it with nothing. An idle
                // connection is dropped after 10 s, before Asterisk drops it (session_keep_alive, 15 s
                // by default): a request sent as Asterisk closes the connection would fail
                AriConnection connection = new AriConnection(vertx, context, unit.server.endpoint(),
                        () -> vertx.createHttpClient(a.tls(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                                        .setKeepAliveTimeout(CLIENT_KEEP_ALIVE_SECONDS)
                                        .setConnectTimeout((int) a.requestTimeout().toMillis())),
                                new PoolOptions().setHttp1MaxSize(perLoop)),
                        () -> vertx.createHttpClient(a.tls(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                                        .setKeepAliveTimeout(CLIENT_KEEP_ALIVE_SECONDS)
                                        .setConnectTimeout((int) a.requestTimeout().toMillis())),
                                new PoolOptions().setHttp1MaxSize(ARI_CONTROL_CONNECTIONS_PER_LOOP)),
                        vertx.createWebSocketClient(a.tls(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
                                .setMaxMessageSize(16 << 20).setTcpNoDelay(true))),
                        a.requestTimeout(), a.reconnectMin(), a.reconnectMax(), listener);
                registry.scheduleSweep(a.sweepInterval(), connection::connected);
                ariReady.complete(connection);
            }
        }, new DeploymentOptions()).compose(id -> ariReady.future());
    }

    /** True while this instance holds the lease of every Asterisk server it serves (without CR_HA: always). */
    public boolean holdsServer() {
        return units.values().stream().allMatch(u -> u.standby == null || u.standby.holding());
    }

    /** True while this instance holds the lease of Asterisk server {@code server} (without CR_HA: always). */
    public boolean holdsServer(String server) {
        ServerUnit unit = units.get(server);
        return unit != null && (unit.standby == null || unit.standby.holding());
    }

    /** The admin API (tests count password hashes through it). */
    public AdminApi adminApi() {
        return adminApi;
    }

    public int httpPort() {
        return httpServer.actualPort();
    }

    /** The port /metrics is served on: the API's unless CR_METRICS_PORT gives it a server of its own. */
    public int metricsPort() {
        return metricsServer == null ? httpServer.actualPort() : metricsServer.actualPort();
    }

    /** Metrics registry and collectors. */
    public Observability observability() {
        return observability;
    }

    /** The routes served (health and admin API). */
    public Router router() {
        return router;
    }

    /** Plugs in the recording archive the admin API decrypts audio through; null unplugs it. */
    public void useRecordingArchive(RecordingArchive recordingArchive) {
        archive.set(recordingArchive);
    }

    /** The first (with CR_ARI_URL the only) Asterisk server's ARI connection. */
    public AriConnection ari() {
        return units.values().iterator().next().ari;
    }

    /** The ARI connection of Asterisk server {@code server}. */
    public AriConnection ari(String server) {
        ServerUnit unit = units.get(server);
        if (unit == null) {
            throw new IllegalArgumentException("no ARI server " + server);
        }
        return unit.ari;
    }

    /** The live calls of every Asterisk server. */
    public CallDirectory calls() {
        return calls;
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

    public ArchivePipeline archivePipeline() {
        return pipeline;
    }

    /** Playback and export through the decrypting path. */
    public RecordingArchive archive() {
        return archive.get();
    }

    public SubjectKeyStore subjectKeys() {
        return subjectKeys;
    }

    /** The audit chain's anchors outside the database, and its verification against them. */
    public AuditAnchoring auditAnchoring() {
        return auditAnchoring;
    }

    /** Data-subject requests, erasure, export, retention and statistics. */
    public PrivacyServices privacy() {
        return privacy;
    }

    @Override
    public void close() throws Exception {
        privacy.retention().stop();
        pipeline.stop();
        observability.close();
        for (ServerUnit unit : units.values()) {
            try {
                await(unit.ari.stop());
            } catch (Exception e) {
                LOG.debug("stopping ARI of server '{}': {}", unit.server.name(), ExternalText.forLog(e.getMessage()));
            }
        }
        for (ServerUnit unit : units.values()) {
            try {
                // given up at once, so that a standby takes over without waiting for the lease to expire
                if (unit.standby != null) {
                    await(unit.standby.stop());
                }
            } catch (Exception e) {
                LOG.debug("releasing the lease of server '{}': {}", unit.server.name(), e.getMessage());
            }
        }
        await(vertx.close());
        database.close();
    }

    static <T> T await(Future<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** The parts of the configuration that the records of processing describe. */
    static org.consentrecorder.privacy.ProcessingRegister.RegisterFacts registerFacts(AppConfig config) {
        return new org.consentrecorder.privacy.ProcessingRegister.RegisterFacts(config.privacy(), config.calls(),
                config.admin().tls().isPresent());
    }
}
