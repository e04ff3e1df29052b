package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.privacy.LegalHold;
import org.consentrecorder.privacy.LegalHoldRepository;

/**
 * Legal holds on a call or on everything about a caller: while active, erasure and retention leave
 * the held data alone. Compliance only: keeping personal data against an erasure request is a
 * legal decision (GDPR Art. 17(3)(e)), not an administrator's; every change is audited with who
 * and why, and holds are released, never deleted.
 */
final class LegalHoldRoutes {
    private final AdminApi api;

    LegalHoldRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/legal-holds", Permission.MANAGE_LEGAL_HOLDS, "legal_holds.list", this::list),
                ApiRoute.of(HttpMethod.POST, "/legal-holds/search", Permission.MANAGE_LEGAL_HOLDS, "legal_holds.list",
                        ctx -> search(ctx, QueryInput.ofBody(ctx, FILTERS))),
                ApiRoute.of(HttpMethod.POST, "/legal-holds", Permission.MANAGE_LEGAL_HOLDS, "legal_holds.place", this::place),
                ApiRoute.of(HttpMethod.POST, "/legal-holds/:id/release", Permission.MANAGE_LEGAL_HOLDS,
                        "legal_holds.release", this::release));
    }

    /** Every column but the subject, which is shown as {@code caller}, and whether the hold is active. */
    static JsonObject json(LegalHold h) {
        return new JsonObject().put("id", h.id().toString()).put("scope", h.scope()).put("call_id", Api.id(h.callId()))
                .put("reason", h.reason()).put("placed_by", h.placedBy()).put("placed_at", Api.time(h.placedAt()))
                .put("released_by", h.releasedBy()).put("released_at", Api.time(h.releasedAt()))
                .put("release_reason", h.releaseReason()).put("caller", h.subject()).put("active", h.active());
    }

    private static final String[] FILTERS = {"active", "call_id", "caller", "limit", "offset"};

    /** GET /legal-holds: deprecated with a caller number (see {@link Api#deprecatedForBody}). */
    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, FILTERS);
        if (q.string("caller").isPresent()) {
            Api.deprecatedForBody(ctx, "/legal-holds/search");
        }
        search(ctx, q);
    }

    /** POST /legal-holds/search: the same filters in a JSON body, so no caller number travels in a URL. */
    private void search(RoutingContext ctx, QueryInput q) {
        Optional<Boolean> active = q.bool("active");
        Optional<UUID> callId = q.uuid("call_id");
        Optional<String> subject = CallRoutes.subject(api, q);
        int limit = q.limit();
        int offset = q.offset();
        JsonObject filters = Api.compact(new JsonObject().put("active", active.orElse(null))
                .put("call_id", callId.map(UUID::toString).orElse(null)).put("caller", subject.orElse(null)));
        Future<?> audited = subject.isPresent() ? api.auditAllowedForSubject(ctx, subject.get(), null, filters)
                : api.auditAllowed(ctx, "legal_hold", null, null, filters);
        Api.reply(ctx, audited
                .compose(v -> api.privacy().legalHolds().list(active.orElse(null), callId.orElse(null),
                        subject.orElse(null), limit + 1, offset))
                .map(holds -> {
                    JsonArray items = new JsonArray();
                    holds.stream().limit(limit).forEach(h -> items.add(json(h)));
                    return Api.offsetPage(items, limit, offset, holds.size() > limit);
                }));
    }

    /** Body {@code {"call_id": "..."}} or {@code {"caller": "..."}}, and {@code "reason"}. */
    private void place(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "call_id", "caller", "reason");
        String reason = reason(in);
        Optional<UUID> callId = in.optionalString("call_id").map(v -> Ids.parse("call id", v));
        Optional<String> subject = in.optionalString("caller").map(raw -> api.identity().normalize(raw)
                .orElseThrow(() -> ApiError.badRequest("field 'caller' is not a phone number")));
        if (callId.isPresent() == subject.isPresent()) {
            throw ApiError.badRequest("give exactly one of 'call_id' (hold one call) and 'caller' (hold everything "
                    + "about a caller)");
        }
        String by = Api.principal(ctx).describe();
        Instant now = api.clock().instant();
        LegalHoldRepository holds = api.privacy().legalHolds();
        Future<Boolean> known = callId.isPresent() ? holds.callKnown(callId.get())
                : Future.succeededFuture(true);
        known.compose(k -> {
                    if (!k) {
                        throw ApiError.notFound("no call with id " + callId.get());
                    }
                    return api.<LegalHold>auditedChange(ctx, tx -> (subject.isPresent()
                            ? api.privacy().pseudonyms().of(tx, subject.get()) : Future.succeededFuture((String) null))
                            .compose(pseudonym -> holds.place(tx, callId.isPresent() ? LegalHoldRepository.CALL
                                            : LegalHoldRepository.SUBJECT, callId.orElse(null), subject.orElse(null), reason,
                                            by, now)
                                    .map(hold -> new AdminApi.Change<>(hold, "legal_hold", hold.id().toString(),
                                            Api.compact(new JsonObject().put("scope", hold.scope())
                                                    .put("call_id", callId.map(UUID::toString).orElse(null))
                                                    .put("caller", pseudonym))))));
                })
                .onSuccess(hold -> Api.json(ctx, 201, json(hold)))
                .onFailure(ctx::fail);
    }

    /** Body {@code {"reason": "..."}}: why the hold ends (the case closed, the order lifted). */
    private void release(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("hold id", ctx.pathParam("id"));
        JsonInput in = JsonInput.of(ctx, false, "reason");
        String reason = reason(in);
        String by = Api.principal(ctx).describe();
        api.<LegalHold>auditedChange(ctx, tx -> api.privacy().legalHolds().release(tx, id, by, reason,
                                api.clock().instant())
                        .map(hold -> new AdminApi.Change<>(hold.orElseThrow(() ->
                                ApiError.notFound("no active legal hold with id " + id)), "legal_hold", id.toString(),
                                new JsonObject().put("released", true))))
                .onSuccess(hold -> Api.json(ctx, 200, json(hold)))
                .onFailure(ctx::fail);
    }

    private static String reason(JsonInput in) {
        String reason = in.requiredString("reason").trim();
        if (reason.length() < 3) {
            throw ApiError.badRequest("field 'reason' must say why (3 characters or more, e.g. a case number)");
        }
        return reason;
    }
}
