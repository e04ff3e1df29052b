package org.consentrecorder.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.consentrecorder.ari.AriConnection;

/**
 * Liveness and readiness. Live: the process serves HTTP. Ready: the database answers, and for each Asterisk server ARI
 * is connected (and resynchronized) or this instance is its standby (another instance holds it; this one serves the
 * API and is ready to take over). With several servers, one of them down makes the instance {@code degraded}, still
 * 200: it serves the API and the other servers' calls, and the body names the server that is down; only when no
 * server is usable is it {@code not_ready} (503). Orchestrators route requests only to a ready instance.
 */
public final class HealthRoutes {
    private static final long DB_TIMEOUT_MS = 2000;

    private HealthRoutes() {
    }

    /** One server, no standby (tests). */
    public static void mount(Router router, AriConnection ari, Pool pool) {
        mount(router, Map.of("default", ari), pool, server -> false);
    }

    /**
     * {@code ari}: each server's connection by name, in configuration order; {@code standingBy} true for a server
     * another instance holds.
     */
    public static void mount(Router router, Map<String, AriConnection> ari, Pool pool, Predicate<String> standingBy) {
        HealthRepository database = new HealthRepository(pool);
        Map<String, AriConnection> servers = Collections.unmodifiableMap(new LinkedHashMap<>(ari));
        router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "live")));
        router.get("/health/ready").handler(ctx -> database.ping().timeout(DB_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .onComplete(db -> ready(ctx, servers, standingBy, db.succeeded())));
    }

    private static void ready(RoutingContext ctx, Map<String, AriConnection> servers, Predicate<String> standingBy,
                              boolean dbUp) {
        int up = 0;
        JsonArray list = new JsonArray();
        JsonArray down = new JsonArray();
        for (Map.Entry<String, AriConnection> e : servers.entrySet()) {
            AriConnection ari = e.getValue();
            boolean standby = standingBy.test(e.getKey());
            boolean ariUp = ari.connected() || standby;
            up += ariUp ? 1 : 0;
            if (!ariUp) {
                down.add(e.getKey());
            }
            list.add(serverJson(e.getKey(), ari, standby));
        }
        boolean ready = dbUp && up > 0;
        String status = !ready ? "not_ready" : up < servers.size() ? "degraded" : "ready";
        JsonObject body = new JsonObject()
                .put("status", status)
                // the first server under "ari", as before several servers existed; every server under "servers"
                .put("ari", list.getJsonObject(0).copy())
                .put("servers", list)
                .put("database", new JsonObject().put("state", dbUp ? "up" : "down"));
        if (!down.isEmpty()) {
            body.put("servers_down", down);
        }
        json(ctx, ready ? 200 : 503, body);
    }

    private static JsonObject serverJson(String name, AriConnection ari, boolean standby) {
        JsonObject json = new JsonObject().put("name", name)
                .put("state", standby ? "standby" : ari.state().name().toLowerCase(Locale.ROOT));
        AriConnection.ServerInfo server = ari.server();
        if (server != null) {
            json.put("asterisk_version", server.asteriskVersion())
                    .put("ari_version", server.reportedAriVersion())
                    .put("binding", server.binding());
        }
        return json;
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }
}
