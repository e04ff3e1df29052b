package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Small helpers shared by the route classes: the request's principal and source, JSON replies, times and ids as JSON. */
public final class Api {
    static final String PRINCIPAL = "cr.principal";
    static final String ROUTE = "cr.route";
    static final String AUDITED = "cr.audited";
    static final String SOURCE = "cr.source";
    /** The playback ticket that authenticated this request (no bearer token), a {@link PlaybackTickets.Ticket}. */
    static final String TICKET = "cr.ticket";

    private Api() {
    }

    public static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    public static ApiRoute route(RoutingContext ctx) {
        return ctx.get(ROUTE);
    }

    /**
     * The client's address: the TCP peer, or, when the peer is one of {@code CR_TRUSTED_PROXIES},
     * the address it forwarded in X-Forwarded-For (nobody else's header is believed).
     */
    public static String source(RoutingContext ctx) {
        String s = ctx.get(SOURCE);
        return s != null ? s : peer(ctx);
    }

    /** The TCP peer. */
    static String peer(RoutingContext ctx) {
        SocketAddress a = ctx.request().remoteAddress();
        return a == null ? null : a.hostAddress();
    }

    /**
     * Marks an answer to a GET that carried personal data in its URL (a caller number, a free-text
     * reason: proxy and access logs keep URLs, and erasure does not reach them) as deprecated,
     * pointing at the POST form that takes the same fields in a JSON body. The GET form is answered
     * for one release more.
     */
    static void deprecatedForBody(RoutingContext ctx, String successorPath) {
        ctx.response().putHeader("deprecation", "true")
                .putHeader("link", "<" + AdminApi.BASE + successorPath + ">; rel=\"successor-version\"");
    }

    public static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }

    public static void noContent(RoutingContext ctx) {
        ctx.response().setStatusCode(204).end();
    }

    /** Replies 200 with the future's JSON, or fails the context with its error. */
    public static void reply(RoutingContext ctx, Future<JsonObject> body) {
        body.onComplete(ar -> {
            if (ar.succeeded()) {
                json(ctx, 200, ar.result());
            } else {
                ctx.fail(ar.cause());
            }
        });
    }

    /** A page of results: items plus how to ask for the next page (null when there is none). */
    public static JsonObject page(JsonArray items, int limit, String nextCursor) {
        return new JsonObject().put("items", items).put("limit", limit).put("next_cursor", nextCursor);
    }

    public static JsonObject offsetPage(JsonArray items, int limit, int offset, boolean more) {
        return new JsonObject().put("items", items).put("limit", limit).put("offset", offset)
                .put("next_offset", more ? offset + limit : null);
    }

    /** Drops null values (filters not given). */
    public static JsonObject compact(JsonObject o) {
        o.getMap().values().removeIf(java.util.Objects::isNull);
        return o;
    }

    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

    public static String time(OffsetDateTime t) {
        return t == null ? null : ISO_MILLIS.format(t.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
    }

    /** A UUID as text; null for null. */
    public static String id(UUID id) {
        return id == null ? null : id.toString();
    }

    public static String time(java.time.Instant t) {
        return t == null ? null : time(OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
    }
}
