package org.consentrecorder.admin;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.privacy.PrivacyRequest;
import org.consentrecorder.privacy.PrivacyRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Data-subject requests: register an access or erasure request (due one month after it was
 * received), list them (overdue ones too), answer an access request with the export bundle
 * (streamed), carry out an erasure request and verify it afterwards.
 */
final class SubjectRequestRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(SubjectRequestRoutes.class);
    private static final List<String> KINDS = List.of(PrivacyRequests.ACCESS, PrivacyRequests.ERASURE);
    private static final List<String> STATUSES = List.of("open", "completed", "partially_completed");
    private final AdminApi api;

    SubjectRequestRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/privacy/requests", Permission.HANDLE_SUBJECT_REQUESTS,
                        "privacy_requests.list", this::list),
                ApiRoute.of(HttpMethod.POST, "/privacy/requests", Permission.HANDLE_SUBJECT_REQUESTS,
                        "privacy_requests.create", this::create),
                // before /:id, which would otherwise take "overdue" as an id
                ApiRoute.of(HttpMethod.GET, "/privacy/requests/overdue", Permission.HANDLE_SUBJECT_REQUESTS,
                        "privacy_requests.overdue", this::overdue),
                ApiRoute.of(HttpMethod.GET, "/privacy/requests/:id", Permission.HANDLE_SUBJECT_REQUESTS,
                        "privacy_requests.read", this::read),
                ApiRoute.of(HttpMethod.GET, "/privacy/requests/:id/export", Permission.EXPORT,
                        "privacy_requests.export", this::exportByQuery),
                ApiRoute.of(HttpMethod.POST, "/privacy/requests/:id/export", Permission.EXPORT,
                        "privacy_requests.export", ctx -> export(ctx, QueryInput.ofBody(ctx, "purpose", "reason"))),
                ApiRoute.of(HttpMethod.POST, "/privacy/requests/:id/erase", Permission.ERASURE,
                        "privacy_requests.erase", this::erase),
                ApiRoute.of(HttpMethod.POST, "/privacy/requests/:id/verify", Permission.ERASURE,
                        "privacy_requests.verify", this::verify));
    }

    /**
     * Every column but the subject, which is shown as {@code caller} (the erasure token once erased), and
     * whether processing of the subject's data is restricted (then the export needs compliance's
     * legal-claims purpose and a reason).
     */
    static JsonObject json(PrivacyRequest r, boolean restricted) {
        return json(r).put("restricted", restricted);
    }

    private static JsonObject json(PrivacyRequest r) {
        return new JsonObject().put("id", r.id().toString()).put("kind", r.kind())
                .put("received_at", Api.time(r.receivedAt())).put("due_at", Api.time(r.dueAt()))
                .put("status", r.status()).put("note", r.note()).put("created_by", r.createdBy())
                .put("created_at", Api.time(r.createdAt())).put("handled_by", r.handledBy())
                .put("completed_at", Api.time(r.completedAt())).put("erasure_token", r.erasureToken())
                .put("attempts", r.attempts()).put("last_error", r.lastError()).put("result", r.result())
                .put("verification", r.verification()).put("overdue", r.overdue()).put("caller", r.subject());
    }

    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "status", "kind", "overdue", "limit", "offset");
        Optional<String> status = q.oneOf("status", STATUSES);
        Optional<String> kind = q.oneOf("kind", KINDS);
        boolean overdue = q.bool("overdue").orElse(false);
        page(ctx, status.orElse(null), kind.orElse(null), overdue, q.limit(), q.offset(),
                Api.compact(new JsonObject().put("status", status.orElse(null)).put("kind", kind.orElse(null))
                        .put("overdue", overdue ? true : null)));
    }

    private void overdue(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "limit", "offset");
        page(ctx, null, null, true, q.limit(), q.offset(), new JsonObject().put("overdue", true));
    }

    private void page(RoutingContext ctx, String status, String kind, boolean overdue, int limit, int offset,
                      JsonObject filters) {
        Api.reply(ctx, api.auditAllowed(ctx, "privacy_request", null, null, filters)
                .compose(v -> api.privacy().requests().list(status, kind, overdue, limit + 1, offset))
                .compose(requests -> restricted(requests).map(restricted -> {
                    JsonArray items = new JsonArray();
                    requests.stream().limit(limit).forEach(r -> items.add(json(r, restricted.contains(r.subject()))));
                    return Api.offsetPage(items, limit, offset, requests.size() > limit);
                })));
    }

    /** The subjects among these requests' whose processing is restricted (none once erased). */
    private Future<Set<String>> restricted(List<PrivacyRequest> requests) {
        return api.privacy().restrictions().restrictedAmong(requests.stream().filter(r -> !r.subjectErased())
                .map(PrivacyRequest::subject).distinct().toList());
    }

    /** Body {@code {"kind": "access"|"erasure", "caller": "...", "received_at": "...", "note": "..."}}. */
    private void create(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "kind", "caller", "received_at", "note");
        String kind = in.requiredString("kind");
        if (!KINDS.contains(kind)) {
            throw ApiError.badRequest("field 'kind' must be one of " + String.join(", ", KINDS));
        }
        String subject = api.identity().normalize(in.requiredString("caller")).orElseThrow(() ->
                ApiError.badRequest("field 'caller' is not a phone number (digits, optionally a leading +)"));
        Instant now = api.clock().instant();
        Instant received = in.optionalString("received_at").map(v -> {
            try {
                return Instant.parse(v);
            } catch (java.time.format.DateTimeParseException e) {
                throw ApiError.badRequest("field 'received_at' must be a UTC time such as 2025-01-31T08:00:00Z");
            }
        }).orElse(now);
        if (received.isAfter(now.plusSeconds(60))) {
            throw ApiError.badRequest("field 'received_at' is in the future");
        }
        String note = in.optionalString("note").map(String::trim).orElse(null);
        String by = Api.principal(ctx).describe();
        api.<PrivacyRequest>auditedChange(ctx, tx -> api.privacy().pseudonyms().of(tx, subject)
                        .compose(pseudonym -> api.privacy().requests().create(tx, kind, subject, received, note, by, now)
                                .map(request -> new AdminApi.Change<>(request, "privacy_request", request.id().toString(),
                                        new JsonObject().put("kind", kind).put("caller", pseudonym)
                                                .put("due_at", Api.time(request.dueAt()))))))
                .compose(request -> restricted(List.of(request)).map(restricted ->
                        json(request, restricted.contains(request.subject()))))
                .onSuccess(body -> Api.json(ctx, 201, body))
                .onFailure(ctx::fail);
    }

    private void read(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("request id", ctx.pathParam("id"));
        Api.reply(ctx, api.auditAllowed(ctx, "privacy_request", id.toString(), null, null)
                .compose(v -> api.privacy().requests().find(id))
                .compose(found -> {
                    PrivacyRequest r = found.orElseThrow(() -> ApiError.notFound("no privacy request with id " + id));
                    return restricted(List.of(r)).map(restricted -> json(r, restricted.contains(r.subject())));
                }));
    }

    // ---- access: the export bundle ---------------------------------------------------------------

    /**
     * GET: deprecated with a reason (free text about a legal claim lands in proxy and access logs);
     * answered for one release with a Deprecation header pointing at the POST form.
     */
    private void exportByQuery(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "purpose", "reason");
        if (q.string("reason").isPresent()) {
            Api.deprecatedForBody(ctx, "/privacy/requests/" + Ids.parse("request id", ctx.pathParam("id")) + "/export");
        }
        export(ctx, q);
    }

    /** The bundle; the POST form takes {@code purpose} and {@code reason} in a JSON body. */
    private void export(RoutingContext ctx, QueryInput q) {
        UUID id = Ids.parse("request id", ctx.pathParam("id"));
        Optional<String> purpose = q.oneOf("purpose", List.of(RestrictionRoutes.LEGAL_CLAIMS));
        String reason = q.string("reason").map(String::trim).orElse(null);
        HttpServerResponse res = ctx.response();
        Context context = ctx.vertx().getOrCreateContext();
        JsonObject detail = new JsonObject().put("kind", PrivacyRequests.ACCESS);
        api.privacy().requests().find(id)
                .compose(found -> {
                    PrivacyRequest request = found.orElseThrow(() -> ApiError.notFound("no privacy request with id " + id));
                    if (!request.isAccess()) {
                        throw ApiError.conflict("request " + id + " is an erasure request; only access requests are exported");
                    }
                    if (request.subjectErased()) {
                        throw ApiError.conflict("the subject of request " + id + " has been erased; nothing to export");
                    }
                    // the audit row is written before the first byte of personal data leaves; restricted
                    // data (Art. 18) leaves only for legal claims, stated by compliance
                    return RestrictionRoutes.admit(ctx, api.privacy().restrictions().coveringSubject(request.subject()),
                                    purpose, reason)
                            .compose(legalClaims -> api.auditAllowed(ctx, "privacy_request", id.toString(),
                                    legalClaims == null ? null : reason,
                                    legalClaims == null ? detail : detail.copy().mergeIn(legalClaims)))
                            .compose(v -> api.privacy().export().prepare(request));
                })
                .compose(bundle -> {
                    res.setChunked(true)
                            .putHeader("content-type", "application/zip")
                            .putHeader("content-disposition", "attachment; filename=\"subject-export-" + id + ".zip\"");
                    return api.privacy().export().stream(bundle, context, res,
                                    fail -> res.closeHandler(v -> fail.accept(new IOException("the client went away"))))
                            .compose(summary -> res.end().map(summary.toJson()
                                    .put("manifest", bundle.manifest().getJsonObject("summary"))));
                })
                .onSuccess(result -> api.privacy().requests().accessCompleted(id, Api.principal(ctx).describe(),
                                result, api.clock().instant())
                        .onComplete(ar -> api.auditMore(ctx, "privacy_request", id.toString(), null,
                                ar.succeeded() ? "ok" : "failed", result.copy().put("kind", PrivacyRequests.ACCESS))))
                .onFailure(e -> {
                    if (!res.headWritten()) {
                        ctx.fail(e);
                        return;
                    }
                    // the zip is cut short: the client must not take a partial bundle for a whole one
                    LOG.warn("export of request {} ended early: {}", id, ExternalText.forLog(e.getMessage()));
                    if (!res.closed()) {
                        res.reset();
                    }
                    api.auditMore(ctx, "privacy_request", id.toString(), null, "failed",
                            detail.copy().put("cause", e.getClass().getSimpleName()));
                });
    }

    // ---- erasure ---------------------------------------------------------------------------------

    private void erase(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput.of(ctx, true);
        UUID id = Ids.parse("request id", ctx.pathParam("id"));
        String by = Api.principal(ctx).describe();
        api.privacy().erasure().execute(id, by, (tx, result) -> {
                    JsonObject counts = new JsonObject();
                    result.forEach(e -> {
                        if (e.getValue() instanceof Number || e.getValue() instanceof Boolean) {
                            counts.put(e.getKey(), e.getValue());
                        }
                    });
                    return api.audit().append(tx, api.entry(ctx, "privacy_request", id.toString(), null, "ok",
                            counts.put("kind", PrivacyRequests.ERASURE))).map(seq -> {
                                ctx.put(Api.AUDITED, true);
                                return (Void) null;
                            });
                })
                .onSuccess(request -> {
                    api.auditMore(ctx, "privacy_request", id.toString(), null, request.status(),
                            new JsonObject().put("clean", request.verification() == null ? null
                                    : request.verification().getBoolean("clean")));
                    restricted(List.of(request)).onComplete(ar -> Api.json(ctx, 200,
                            json(request, ar.succeeded() && ar.result().contains(request.subject()))));
                })
                .onFailure(e -> {
                    if (Boolean.TRUE.equals(ctx.get(Api.AUDITED))) {
                        api.auditMore(ctx, "privacy_request", id.toString(), null, "failed",
                                new JsonObject().put("cause", e.getMessage()));
                    }
                    ctx.fail(e);
                });
    }

    /**
     * Runs the verification again. An erasure that completed no longer knows the number, so the
     * body names it: {@code {"caller": "..."}} (optional while the request still holds it).
     */
    private void verify(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, true, "caller");
        UUID id = Ids.parse("request id", ctx.pathParam("id"));
        Optional<String> caller = in.optionalString("caller").map(raw -> api.identity().normalize(raw)
                .orElseThrow(() -> ApiError.badRequest("field 'caller' is not a phone number")));
        api.privacy().requests().find(id).compose(found -> {
            PrivacyRequest request = found.orElseThrow(() -> ApiError.notFound("no privacy request with id " + id));
            String token = request.erasureToken();
            if (!request.isErasure() || token == null) {
                throw ApiError.conflict("request " + id + " is not an erasure that has run");
            }
            String subject = request.subjectErased()
                    ? caller.orElseThrow(() -> ApiError.badRequest("field 'caller' is required: the completed "
                    + "request no longer holds the number"))
                    : request.subject();
            JsonObject previous = request.verification();
            Instant began = previous != null && previous.getString("erasure_began_at") != null
                    ? Instant.parse(previous.getString("erasure_began_at"))
                    : request.completedAt() == null ? api.clock().instant() : request.completedAt();
            return api.auditAllowed(ctx, "privacy_request", id.toString(), null, null)
                    .compose(v -> api.privacy().verifier().heldCalls(subject))
                    .compose(held -> api.privacy().verifier().verify(subject, token, id, began, held))
                    .map(report -> new JsonObject().put("request_id", id.toString()).put("verification", report));
        }).onComplete(ar -> {
            if (ar.succeeded()) {
                Api.json(ctx, 200, ar.result());
            } else {
                ctx.fail(ar.cause());
            }
        });
    }
}
