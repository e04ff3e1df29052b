package org.consentrecorder.admin;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.consentrecorder.ari.AriConnection;

/**
 * Liveness and readiness. Live: the process serves HTTP. Ready: the database answers, and ARI is connected (and
 * resynchronized), or this instance is a standby (another instance holds its Asterisk server; it serves the API and
 * is ready to take over); orchestrators route requests only to a ready instance.
 */
public final class HealthRoutes {
    private static final long DB_TIMEOUT_MS = 2000;

    private HealthRoutes() {
    }

    public static void mount(Router router, AriConnection ari, Pool pool) {
        mount(router, ari, pool, () -> false);
    }

    /** With {@code standingBy} true while another instance holds this instance's Asterisk server. */
    public static void mount(Router router, AriConnection ari, Pool pool, BooleanSupplier standingBy) {
        HealthRepository database = new HealthRepository(pool);
        router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "live")));
        router.get("/health/ready").handler(ctx -> database.ping().timeout(DB_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .onComplete(db -> ready(ctx, ari, standingBy.getAsBoolean(), db.succeeded())));
    }

    private static void ready(RoutingContext ctx, AriConnection ari, boolean standby, boolean dbUp) {
        boolean ariUp = ari.connected() || standby;
        JsonObject ariJson = new JsonObject().put("state", standby ? "standby" : ari.state().name().toLowerCase());
        AriConnection.ServerInfo server = ari.server();
        if (server != null) {
            ariJson.put("asterisk_version", server.asteriskVersion())
                    .put("ari_version", server.reportedAriVersion())
                    .put("binding", server.binding());
        }
        JsonObject body = new JsonObject()
                .put("status", dbUp && ariUp ? "ready" : "not_ready")
                .put("ari", ariJson)
                .put("database", new JsonObject().put("state", dbUp ? "up" : "down"));
        json(ctx, dbUp && ariUp ? 200 : 503, body);
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }
}
