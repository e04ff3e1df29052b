package org.consentrecorder.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

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
        Optional<String> actor = q.string("actor");
        Optional<String> action = q.string("action");
        Optional<String> target = q.string("target");
        Optional<String> outcome = q.string("outcome");
        int limit = q.limit();
        Optional<Long> before = q.string("cursor").map(c -> {
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
        AuditRepository.Filter filter = new AuditRepository.Filter(range[0], range[1], actor.orElse(null),
                action.orElse(null), target.orElse(null), outcome.orElse(null), before.orElse(null));
        Api.reply(ctx, api.auditAllowed(ctx, "audit_log", null, null, filters)
                .compose(v -> api.auditRows().search(filter, limit + 1))
                .map(rows -> {
                    JsonArray items = new JsonArray();
                    rows.stream().limit(limit).forEach(r -> items.add(json(r)));
                    String next = rows.size() > limit ? String.valueOf(rows.get(limit - 1).seq()) : null;
                    return Api.page(items, limit, next);
                }));
    }

    /** A row as the API shows it: its columns, the detail as JSON, the hashes in hex. */
    static JsonObject json(AuditRepository.StoredEntry r) {
        AuditEntry e = r.entry();
        return new JsonObject().put("seq", r.seq()).put("at", Api.time(r.at()))
                .put("actor_kind", e.actorKind()).put("actor_id", e.actorId()).put("actor_name", e.actorName())
                .put("action", e.action()).put("target_type", e.targetType()).put("target_id", e.targetId())
                .put("key_id", r.keyId()).put("text_erased", r.textErased() ? true : null)
                .put("reason", e.reason()).put("source_address", e.sourceAddress()).put("outcome", e.outcome())
                .put("detail", e.detail() == null ? null : new JsonObject(e.detail()))
                .put("prev_hash", HexFormat.of().formatHex(r.prevHash()))
                .put("hash", HexFormat.of().formatHex(r.hash()));
    }

    private void verify(RoutingContext ctx) {
        QueryInput.of(ctx);
        Api.reply(ctx, api.auditAllowed(ctx, "audit_log", null, null, null)
                .compose(v -> api.anchoring().verify())
                .map(AuditChainVerifier.Report::toJson));
    }
}
