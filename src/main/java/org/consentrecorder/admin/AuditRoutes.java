package org.consentrecorder.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The audit trail: query it (newest first) and verify its hash chain. Reading it is itself audited. */
final class AuditRoutes {
    private final AdminApi api;

    AuditRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/audit", Permission.READ_AUDIT, "audit.search", this::list),
                ApiRoute.of(HttpMethod.GET, "/audit/verify", Permission.READ_AUDIT, "audit.verify", this::verify));
    }

    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "from", "to", "actor", "action", "target", "outcome", "limit", "cursor");
        Instant[] range = q.timeRange();
        Optional<String> actor = q.string("actor", 200);
        Optional<String> action = q.string("action", 64);
        Optional<String> target = q.string("target", 200);
        Optional<String> outcome = q.string("outcome", 64);
        int limit = q.limit();
        Optional<Long> before = q.string("cursor", 20).map(c -> {
            try {
                long seq = Long.parseLong(c);
                if (seq > 0) {
                    return seq;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw ApiError.badRequest("query parameter 'cursor' is not a cursor this API gave out (use next_cursor as is)");
        });
        JsonObject filters = Api.compact(new JsonObject().put("from", Api.time(range[0])).put("to", Api.time(range[1]))
                .put("actor", actor.orElse(null)).put("action", action.orElse(null)).put("target", target.orElse(null))
                .put("outcome", outcome.orElse(null)));
        List<Object> params = Arrays.asList(CallRoutes.ts(range[0]), CallRoutes.ts(range[1]), actor.orElse(null),
                action.orElse(null), target.orElse(null), outcome.orElse(null), before.orElse(null), limit + 1);
        Api.reply(ctx, api.auditAllowed(ctx, "audit_log", null, null, filters)
                .compose(v -> api.pool().preparedQuery("select * from audit_log "
                                + "where ($1::timestamptz is null or at >= $1) and ($2::timestamptz is null or at < $2) "
                                + "and ($3::text is null or actor_id = $3 or actor_name = $3) "
                                + "and ($4::text is null or action = $4) and ($5::text is null or target_id = $5) "
                                + "and ($6::text is null or outcome = $6) and ($7::bigint is null or seq < $7) "
                                + "order by seq desc limit $8")
                        .execute(Tuple.wrap(params)))
                .map(rows -> {
                    JsonArray items = new JsonArray();
                    long last = 0;
                    for (Row r : rows) {
                        if (items.size() == limit) {
                            break;
                        }
                        JsonObject item = Api.row(r, Set.of("detail"));
                        String detail = r.getString("detail");
                        item.put("detail", detail == null ? null : new JsonObject(detail));
                        item.put("prev_hash", HexFormat.of().formatHex(r.getBuffer("prev_hash").getBytes()));
                        item.put("hash", HexFormat.of().formatHex(r.getBuffer("hash").getBytes()));
                        items.add(item);
                        last = r.getLong("seq");
                    }
                    return Api.page(items, limit, rows.size() > limit ? String.valueOf(last) : null);
                }));
    }

    private void verify(RoutingContext ctx) {
        QueryInput.of(ctx);
        Api.reply(ctx, api.auditAllowed(ctx, "audit_log", null, null, null)
                .compose(v -> AuditChainVerifier.verify(api.pool()))
                .map(AuditChainVerifier.Report::toJson));
    }
}
