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
import org.consentrecorder.privacy.LegalHoldRepository;
import org.consentrecorder.privacy.Restriction;
import org.consentrecorder.privacy.RestrictionRepository;

/**
 * Restriction of processing (GDPR Art. 18) on a call or on everything about a caller: the data is kept,
 * but playback and export are refused (403 {@code restricted}) unless compliance states that it is for
 * the establishment, exercise or defence of legal claims ({@code purpose=legal_claims} and a reason;
 * Art. 18(2)). Retention still applies. Lifting needs a reason (Art. 18(3): the caller is told before).
 * Compliance only; every change and every use is audited.
 */
final class RestrictionRoutes {
    static final int MAX_REASON = 500;
    static final String LEGAL_CLAIMS = "legal_claims";
    private final AdminApi api;

    RestrictionRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/restrictions", Permission.RESTRICT_PROCESSING, "restrictions.list",
                        this::list),
                ApiRoute.of(HttpMethod.POST, "/restrictions/search", Permission.RESTRICT_PROCESSING, "restrictions.list",
                        ctx -> search(ctx, QueryInput.ofBody(ctx, FILTERS))),
                ApiRoute.of(HttpMethod.POST, "/restrictions", Permission.RESTRICT_PROCESSING, "restrictions.place",
                        this::place),
                ApiRoute.of(HttpMethod.POST, "/restrictions/:id/lift", Permission.RESTRICT_PROCESSING,
                        "restrictions.lift", this::lift));
    }

    static JsonObject json(Restriction r) {
        return new JsonObject().put("id", r.id().toString()).put("scope", r.scope()).put("call_id", Api.id(r.callId()))
                .put("caller", r.subject()).put("reason", r.reason()).put("placed_by", r.placedBy())
                .put("placed_at", Api.time(r.placedAt())).put("lifted_by", r.liftedBy())
                .put("lifted_at", Api.time(r.liftedAt())).put("lift_reason", r.liftReason()).put("active", r.active());
    }

    /**
     * The gate in front of playback and export. With no active restriction covering the data it
     * completes with null; otherwise with the audit detail of a use for legal claims, or fails with
     * 403 {@code restricted} (the failure handler audits the refusal).
     *
     * @param purpose the request's {@code purpose} parameter; {@code reason} its stated reason
     */
    static Future<JsonObject> admit(RoutingContext ctx, Future<List<Restriction>> covering, Optional<String> purpose,
                                    String reason) {
        return covering.map(active -> {
            if (active.isEmpty()) {
                return null;
            }
            JsonArray ids = new JsonArray();
            active.forEach(r -> ids.add(r.id().toString()));
            JsonObject extra = new JsonObject().put("restrictions", ids);
            if (purpose.filter(LEGAL_CLAIMS::equals).isEmpty()) {
                throw new ApiError(403, "restricted", "processing of this data is restricted (GDPR Art. 18): it is "
                        + "kept but not played or exported, except by compliance for legal claims "
                        + "(purpose=legal_claims and a reason)", extra);
            }
            if (!Api.principal(ctx).role().allows(Permission.RESTRICT_PROCESSING)) {
                throw new ApiError(403, "restricted", "processing of this data is restricted (GDPR Art. 18); only "
                        + "compliance may use it for legal claims", extra);
            }
            if (reason == null || reason.trim().length() < 3) {
                throw ApiError.badRequest("restricted data used for legal claims needs a reason (3 to "
                        + MAX_REASON + " characters): which claim");
            }
            return new JsonObject().put("restricted", true).put("purpose", LEGAL_CLAIMS).put("restrictions", ids);
        });
    }

    private static final String[] FILTERS = {"active", "call_id", "caller", "limit", "offset"};

    /** GET /restrictions: deprecated with a caller number (see {@link Api#deprecatedForBody}). */
    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, FILTERS);
        if (q.string("caller").isPresent()) {
            Api.deprecatedForBody(ctx, "/restrictions/search");
        }
        search(ctx, q);
    }

    /** POST /restrictions/search: the same filters in a JSON body, so no caller number travels in a URL. */
    private void search(RoutingContext ctx, QueryInput q) {
        Optional<Boolean> active = q.bool("active");
        Optional<UUID> callId = q.uuid("call_id");
        Optional<String> subject = CallRoutes.subject(api, q);
        int limit = q.limit();
        int offset = q.offset();
        JsonObject filters = Api.compact(new JsonObject().put("active", active.orElse(null))
                .put("call_id", callId.map(UUID::toString).orElse(null)).put("caller", subject.orElse(null)));
        Future<?> audited = subject.isPresent() ? api.auditAllowedForSubject(ctx, subject.get(), null, filters)
                : api.auditAllowed(ctx, "restriction", null, null, filters);
        Api.reply(ctx, audited
                .compose(v -> api.privacy().restrictions().list(active.orElse(null), callId.orElse(null),
                        subject.orElse(null), limit + 1, offset))
                .map(found -> {
                    JsonArray items = new JsonArray();
                    found.stream().limit(limit).forEach(r -> items.add(json(r)));
                    return Api.offsetPage(items, limit, offset, found.size() > limit);
                }));
    }

    /** Body {@code {"call_id": "..."}} or {@code {"caller": "..."}}, and {@code "reason"} (why, e.g. the caller contests the data). */
    private void place(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "call_id", "caller", "reason");
        String reason = reason(in);
        Optional<UUID> callId = in.optionalString("call_id").map(v -> Ids.parse("call id", v));
        Optional<String> subject = in.optionalString("caller").map(raw -> api.identity().normalize(raw)
                .orElseThrow(() -> ApiError.badRequest("field 'caller' is not a phone number")));
        if (callId.isPresent() == subject.isPresent()) {
            throw ApiError.badRequest("give exactly one of 'call_id' (restrict one call) and 'caller' (restrict "
                    + "everything about a caller)");
        }
        String by = Api.principal(ctx).describe();
        Instant now = api.clock().instant();
        RestrictionRepository restrictions = api.privacy().restrictions();
        LegalHoldRepository holds = api.privacy().legalHolds();
        Future<Boolean> known = callId.isPresent() ? holds.callKnown(callId.get()) : Future.succeededFuture(true);
        known.compose(k -> {
                    if (!k) {
                        throw ApiError.notFound("no call with id " + callId.get());
                    }
                    return api.<Restriction>auditedChange(ctx, tx -> (subject.isPresent()
                            ? api.privacy().pseudonyms().of(tx, subject.get()) : Future.succeededFuture((String) null))
                            .compose(pseudonym -> restrictions.place(tx, callId.isPresent() ? RestrictionRepository.CALL
                                            : RestrictionRepository.SUBJECT, callId.orElse(null), subject.orElse(null),
                                            reason, by, now)
                                    .map(r -> new AdminApi.Change<>(r, "restriction", r.id().toString(),
                                            Api.compact(new JsonObject().put("scope", r.scope())
                                                    .put("call_id", callId.map(UUID::toString).orElse(null))
                                                    .put("caller", pseudonym))))));
                })
                .onSuccess(r -> Api.json(ctx, 201, json(r)))
                .onFailure(ctx::fail);
    }

    /** Body {@code {"reason": "..."}}: why the restriction ends (accuracy verified, objection decided). */
    private void lift(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("restriction id", ctx.pathParam("id"));
        JsonInput in = JsonInput.of(ctx, false, "reason");
        String reason = reason(in);
        String by = Api.principal(ctx).describe();
        api.<Restriction>auditedChange(ctx, tx -> api.privacy().restrictions().lift(tx, id, by, reason,
                                api.clock().instant())
                        .map(r -> new AdminApi.Change<>(r.orElseThrow(() ->
                                ApiError.notFound("no active restriction with id " + id)), "restriction", id.toString(),
                                new JsonObject().put("lifted", true))))
                .onSuccess(r -> Api.json(ctx, 200, json(r)))
                .onFailure(ctx::fail);
    }

    private static String reason(JsonInput in) {
        String reason = in.requiredString("reason").trim();
        if (reason.length() < 3) {
            throw ApiError.badRequest("field 'reason' must say why (3 to " + MAX_REASON + " characters)");
        }
        return reason;
    }
}
