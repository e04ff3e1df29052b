package org.consentrecorder.observability;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.UUID;
import org.consentrecorder.admin.AdminApi;
import org.consentrecorder.admin.ApiRoute;
import org.consentrecorder.admin.Permission;
import org.consentrecorder.ari.AriConnection;
import org.consentrecorder.archive.ArchivePipeline;
import org.consentrecorder.call.CallDirectory;
import org.consentrecorder.privacy.RetentionJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metrics and the status page, wired in two steps: {@link #vertxBuilder} before Vert.x exists (so
 * Vert.x reports its HTTP servers and clients, pools and the JVM into the same registry), then
 * {@link #attach} once the features exist (each gets its metrics facade) and {@link #mount} for the
 * routes. One registry per application instance, so tests can run several in one JVM.
 */
public final class Observability implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);
    /** The SQL pool's name in Vert.x's pool metrics (pool_name label). */
    public static final String DB_POOL_NAME = "consent-recorder-db";
    static final Duration EVENT_LOOP_PROBE_EVERY = Duration.ofMillis(500);

    private final ObservabilitySettings settings;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String registryName = "consent-recorder-" + UUID.randomUUID();
    private OperationsCollector collector;
    private EventLoopDelayProbe probe;
    private LiveCallGauges live;
    private HealthDetail healthDetail;
    private Vertx vertx;

    public Observability(ObservabilitySettings settings) {
        this.settings = settings;
    }

    /**
     * Vert.x with its metrics in this registry. Labels are limited to bounded ones without numbers:
     * HTTP method (not the status code, not the path, not the peer address), pool type and name, SQL
     * client namespace.
     */
    public VertxBuilder vertxBuilder(VertxOptions options) {
        MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
                .setEnabled(true)
                .setRegistryName(registryName)
                .setJvmMetricsEnabled(true)
                .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.POOL_TYPE, Label.POOL_NAME, Label.NAMESPACE))
                // Vert.x names an HTTP client's connection pool after the server's host:port; the only
                // server this application calls over HTTP and WebSocket is Asterisk's
                .addLabelMatch(new Match().setDomain(MetricsDomain.NAMED_POOLS).setLabel(Label.POOL_NAME.toString())
                        .setType(MatchType.REGEX).setValue(".*:[0-9]+").setAlias("ari"))
                // raw TCP client metrics: the database and ARI connections are covered by the SQL and HTTP
                // client metrics, and these count connections wrong (vert-x3/vertx-micrometer-metrics#131)
                .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
                .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
        return Vertx.builder().with(options.setMetricsOptions(metrics)).withMetrics(new MicrometerMetricsFactory(registry));
    }

    /**
     * What the metrics observe. {@code ari}: each Asterisk server's connection by server name, in configuration order
     * (the names come from the configuration, so the {@code server} label is bounded); {@code standingBy}: true for a
     * server another instance holds (active/standby).
     */
    public record Observed(Vertx vertx, Pool pool, java.util.Map<String, AriConnection> ari,
                           java.util.function.Predicate<String> standingBy, CallDirectory calls,
                           ArchivePipeline archive, RetentionJob retention, Duration retentionInterval, AdminApi admin,
                           int eventLoops, Clock clock) {
        public Observed {
            ari = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ari));
        }
    }

    /** Plugs a metrics facade into every feature and starts the collectors. Call from outside Vert.x threads. */
    public void attach(Observed o) {
        this.vertx = o.vertx();
        o.ari().forEach((server, connection) -> {
            connection.useMetrics(new MicrometerAriMetrics(registry, server, connection::state,
                    connection.expectedEventTypes()));
            FunctionCounter.builder("consent_recorder.ari.events.dropped", connection, AriConnection::eventsDropped)
                    .description("ARI events that could not be decoded or made sense of, by reason")
                    .tag("reason", "undecodable").tag("server", server).register(registry);
        });
        o.calls().useMetrics(new MicrometerCallMetrics(registry));
        o.archive().useMetrics(new MicrometerArchiveMetrics(registry));
        o.retention().useMetrics(new MicrometerPrivacyMetrics(registry));
        o.admin().useMetrics(new MicrometerAdminMetrics(registry));
        o.calls().registries().forEach(calls -> FunctionCounter.builder("consent_recorder.ari.events.dropped", calls,
                        org.consentrecorder.call.CallRegistry::eventsUntranslatable)
                .description("ARI events that could not be decoded or made sense of, by reason")
                .tag("reason", "untranslatable").tag("server", calls.server()).register(registry));
        live = new LiveCallGauges(registry, o.calls());
        OperationsRepository repository = new OperationsRepository(o.pool());
        collector = new OperationsCollector(o.vertx(), repository, settings.refreshInterval(), o.clock().instant(), registry);
        collector.start(o.vertx().getOrCreateContext());
        probe = new EventLoopDelayProbe(o.vertx(), registry, EVENT_LOOP_PROBE_EVERY);
        probe.start(o.eventLoops());
        healthDetail = new HealthDetail(o.ari(), o.standingBy(), repository, o.calls(), o.retentionInterval(), o.clock());
    }

    /**
     * Mounts {@code /health/detail} (admin role, through the admin API's chain) on the API router, and
     * {@code /metrics} there too or on a server of its own (CR_METRICS_PORT), with the API's TLS
     * options. Completes with that server, or null when the API's server serves /metrics.
     */
    public Future<HttpServer> mount(Router apiRouter, AdminApi admin, HttpServerOptions tlsFrom) {
        admin.mountOutside(apiRouter, new ApiRoute(HttpMethod.GET, "/health/detail", ApiRoute.Access.PERMISSION,
                Permission.READ_OPERATIONS_STATUS, "health.detail", true, healthDetail));
        MetricsEndpoint endpoint = new MetricsEndpoint(vertx, registry, MetricsAccess.of(settings.metricsToken()), live);
        String who = settings.metricsToken().isPresent() ? "bearer token required" : "loopback peers only";
        if (!settings.ownServer()) {
            apiRouter.get(MetricsEndpoint.PATH).handler(endpoint);
            LOG.info("metrics: {} on the API's server ({})", MetricsEndpoint.PATH, who);
            return Future.succeededFuture();
        }
        Router router = Router.router(vertx);
        router.get(MetricsEndpoint.PATH).handler(endpoint);
        return vertx.createHttpServer(new HttpServerOptions(tlsFrom))
                .requestHandler(router)
                .listen(settings.metricsPort().getAsInt(), settings.metricsHost())
                .onSuccess(s -> LOG.info("metrics: {} on {}:{} ({})", MetricsEndpoint.PATH, settings.metricsHost(),
                        s.actualPort(), who));
    }

    /** The registry (tests read meters from it directly). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Refreshes the database gauges now (tests; a scrape never waits for this). */
    public Future<Void> refreshDatabaseGauges() {
        return collector.refreshNow();
    }

    /**
     * Stops the probe and the collector; from any thread, before or after Vert.x closes. The registry
     * stays usable: Vert.x reports into it until it has closed (and then unbinds its JVM meters).
     */
    @Override
    public void close() {
        if (probe != null) {
            probe.stop();
        }
        if (collector != null) {
            collector.stop();
        }
    }
}
