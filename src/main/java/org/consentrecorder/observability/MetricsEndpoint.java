package org.consentrecorder.observability;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics} in the Prometheus text format. Access as {@link MetricsAccess} decides; the
 * live-call gauges are read from the calls first; the text is written on a worker thread, so a
 * scrape never holds an event loop that a pause request may be waiting for.
 */
final class MetricsEndpoint implements Handler<RoutingContext> {
    static final String PATH = "/metrics";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final long LIVE_REFRESH_TIMEOUT_MS = 2000;

    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final MetricsAccess access;
    private final LiveCallGauges live;

    MetricsEndpoint(Vertx vertx, PrometheusMeterRegistry registry, MetricsAccess access, LiveCallGauges live) {
        this.vertx = vertx;
        this.registry = registry;
        this.access = access;
        this.live = live;
    }

    @Override
    public void handle(RoutingContext ctx) {
        SocketAddress peer = ctx.request().remoteAddress();
        switch (access.check(peer == null ? null : peer.hostAddress(), ctx.request().getHeader("authorization"))) {
            case UNAUTHORIZED -> {
                ctx.response().putHeader("www-authenticate", "Bearer realm=\"metrics\"");
                error(ctx, 401, "unauthorized", "send 'Authorization: Bearer <CR_METRICS_TOKEN>'");
            }
            case FORBIDDEN -> error(ctx, 403, "forbidden", PATH + " answers loopback peers only; set "
                    + ObservabilitySettings.METRICS_TOKEN + " to scrape it from elsewhere with a bearer token");
            default -> live.refresh()
                    .timeout(LIVE_REFRESH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .recover(e -> Future.succeededFuture())
                    .compose(v -> vertx.executeBlocking(registry::scrape, false))
                    .onSuccess(text -> ctx.response().putHeader("content-type", CONTENT_TYPE)
                            .putHeader("cache-control", "no-store").end(text))
                    .onFailure(ctx::fail);
        }
    }

    private static void error(RoutingContext ctx, int status, String code, String message) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", code).put("message", message).encode());
    }
}
