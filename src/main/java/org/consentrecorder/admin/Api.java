package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Small helpers shared by the route classes: the request's principal and source, JSON replies, rows as JSON. */
public final class Api {
    static final String PRINCIPAL = "cr.principal";
    static final String ROUTE = "cr.route";
    static final String AUDITED = "cr.audited";

    private Api() {
    }

    public static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    public static ApiRoute route(RoutingContext ctx) {
        return ctx.get(ROUTE);
    }

    /** The TCP peer: the API does not trust X-Forwarded-For. */
    public static String source(RoutingContext ctx) {
        SocketAddress a = ctx.request().remoteAddress();
        return a == null ? null : a.hostAddress();
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

    /** A row as JSON with its column names; times as UTC ISO-8601 with milliseconds; binary columns left out. */
    public static JsonObject row(Row r, Set<String> exclude) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < r.size(); i++) {
            String name = r.getColumnName(i);
            if (exclude.contains(name)) {
                continue;
            }
            Object v = r.getValue(i);
            if (v instanceof OffsetDateTime t) {
                o.put(name, time(t));
            } else if (v instanceof UUID u) {
                o.put(name, u.toString());
            } else if (v instanceof String[] a) {
                o.put(name, new JsonArray(List.of((Object[]) a)));
            } else if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
                o.put(name, v);
            }
        }
        return o;
    }

    public static JsonArray rows(RowSet<Row> rows, Set<String> exclude, int max) {
        JsonArray a = new JsonArray();
        for (Row r : rows) {
            if (a.size() == max) {
                break;
            }
            a.add(row(r, exclude));
        }
        return a;
    }
}
