package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.consentrecorder.archive.QuarantineDecision;
import org.consentrecorder.archive.QuarantinedRecording;
import org.consentrecorder.archive.RecordingQuarantine;

/**
 * Recordings on Asterisk that belong to no call in the database (issue 12: a database restored from
 * an older backup), as compliance sees them: list them and decide, for each, to delete Asterisk's
 * copy or to keep it. Compliance only: destroying audio nobody can tie to a consent, or keeping it,
 * is a legal decision. The request is audited (who, what, why) before the decision is made and its
 * result afterwards; the decision itself is also written, append-only, beside the quarantine.
 *
 * <p>A decision is final: a second one about the same recording (or a decision about one whose
 * call came back) answers 409 and changes nothing, except that a recording kept may still be
 * deleted later.
 */
final class QuarantineRoutes {
    static final String BASE_PATH = "/recordings/quarantine";
    private final AdminApi api;

    QuarantineRoutes(AdminApi api) {
        this.api = api;
    }

    /** Mounted before {@link RecordingRoutes}, whose {@code /recordings/:id} would take the list's path. */
    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, BASE_PATH, Permission.MANAGE_QUARANTINE, "quarantine.list", this::list),
                ApiRoute.of(HttpMethod.GET, BASE_PATH + "/:name", Permission.MANAGE_QUARANTINE, "quarantine.read",
                        this::read),
                ApiRoute.of(HttpMethod.POST, BASE_PATH + "/:name/decision", Permission.MANAGE_QUARANTINE,
                        "quarantine.decide", this::decide));
    }

    static JsonObject json(QuarantinedRecording q) {
        return new JsonObject().put("name", q.name()).put("call_id", Api.id(q.callId())).put("format", q.format())
                .put("server", q.server())
                .put("status", q.status().wire()).put("found_at", Api.time(q.foundAt()))
                .put("delete_after", Api.time(q.deleteAfter())).put("deleted_at", Api.time(q.deletedAt()))
                .put("last_decision", q.lastDecision() == null ? null : json(q.lastDecision()));
    }

    static JsonObject json(QuarantineDecision d) {
        return new JsonObject().put("decision", d.kind().wire()).put("decided_by", d.decidedBy())
                .put("reason", d.reason()).put("automatic", d.automatic()).put("decided_at", Api.time(d.decidedAt()));
    }

    private RecordingQuarantine quarantine() {
        RecordingQuarantine q = api.quarantine();
        if (q == null) {
            throw ApiError.unavailable("the archive's quarantine is not available");
        }
        return q;
    }

    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "status", "limit", "offset");
        Set<QuarantinedRecording.Status> statuses = q.oneOf("status", statusChoices())
                .map(s -> EnumSet.of(QuarantinedRecording.Status.fromWire(s)))
                .orElse(EnumSet.noneOf(QuarantinedRecording.Status.class));
        int limit = q.limit();
        int offset = q.offset();
        RecordingQuarantine quarantine = quarantine();
        JsonObject filters = Api.compact(new JsonObject().put("status", q.oneOf("status", statusChoices()).orElse(null)));
        Api.reply(ctx, api.auditAllowed(ctx, "quarantined_recording", null, null, filters)
                .compose(v -> quarantine.list(statuses, limit + 1, offset))
                .map(found -> {
                    JsonArray items = new JsonArray();
                    found.stream().limit(limit).forEach(r -> items.add(json(r)));
                    return Api.offsetPage(items, limit, offset, found.size() > limit);
                }));
    }

    /** One quarantined recording with every decision about it, oldest first. */
    private void read(RoutingContext ctx) {
        QueryInput.of(ctx);
        String name = ctx.pathParam("name");
        RecordingQuarantine quarantine = quarantine();
        Api.reply(ctx, api.auditAllowed(ctx, "quarantined_recording", name, null, null)
                .compose(v -> quarantine.find(name))
                .compose(found -> {
                    QuarantinedRecording r = found.orElseThrow(() -> ApiError.notFound("no quarantined recording " + name));
                    return quarantine.decisions(name).map(decisions -> {
                        JsonArray all = new JsonArray();
                        decisions.forEach(d -> all.add(json(d)));
                        return json(r).put("decisions", all);
                    });
                }));
    }

    /** Body {@code {"decision": "delete"|"keep", "reason": "..."}}. */
    private void decide(RoutingContext ctx) {
        QueryInput.of(ctx);
        String name = ctx.pathParam("name");
        JsonInput in = JsonInput.of(ctx, false, "decision", "reason");
        String wire = in.requiredString("decision");
        if (!wire.equals("delete") && !wire.equals("keep")) {
            throw ApiError.badRequest("field 'decision' must be one of delete, keep");
        }
        QuarantineDecision.Kind kind = QuarantineDecision.Kind.fromWire(wire);
        String reason = in.requiredString("reason").strip();
        if (reason.length() < 3) {
            throw ApiError.badRequest("field 'reason' must say why (3 or more characters, e.g. a ticket number)");
        }
        RecordingQuarantine quarantine = quarantine();
        Principal by = Api.principal(ctx);
        JsonObject detail = new JsonObject().put("decision", kind.wire());
        api.auditAllowed(ctx, "quarantined_recording", name, reason, detail)
                .compose(v -> quarantine.decide(name, kind, by.describe(), reason).recover(e -> {
                    ApiError refused = refusal(e);
                    if (refused == null) {
                        return Future.failedFuture(e);
                    }
                    return api.auditMore(ctx, "quarantined_recording", name, reason, "rejected:" + refused.code(),
                            detail).transform(ar -> Future.failedFuture(refused));
                }))
                .compose(decided -> api.auditMore(ctx, "quarantined_recording", name, reason, decided.status().wire(),
                        detail).transform(ar -> Future.succeededFuture(decided)))
                .onSuccess(decided -> Api.json(ctx, 200, json(decided)))
                .onFailure(ctx::fail);
    }

    /** How the quarantine's refusals reach the client; null for anything else (a 500 or 503). */
    private static ApiError refusal(Throwable e) {
        if (e instanceof IllegalArgumentException) {
            return ApiError.badRequest(e.getMessage());
        }
        if (e instanceof NoSuchElementException) {
            return ApiError.notFound(e.getMessage());
        }
        if (e instanceof IllegalStateException) {
            return ApiError.conflict(e.getMessage());
        }
        return null;
    }

    private static List<String> statusChoices() {
        return java.util.Arrays.stream(QuarantinedRecording.Status.values()).map(QuarantinedRecording.Status::wire).toList();
    }
}
