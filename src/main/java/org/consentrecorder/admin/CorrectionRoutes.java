package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.privacy.Correction;
import org.consentrecorder.privacy.CorrectionRepository;

/**
 * Rectification (GDPR Art. 16): compliance attaches a correction or a supplementary statement to a call
 * (and so its recording) or to everything about a caller. Evidence and audio are never rewritten: the
 * statement is shown with them (call view) and exported with them. Amending adds a version that
 * supersedes the earlier one; the history stays. The statement is stored with the correction, not in
 * the audit trail (it may name people); the audit row says who added what kind, to what.
 */
final class CorrectionRoutes {
    static final int MAX_STATEMENT = 2000;
    static final List<String> KINDS = List.of("correction", "supplement");
    private final AdminApi api;

    CorrectionRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/corrections", Permission.CORRECT_DATA, "corrections.list", this::list),
                ApiRoute.of(HttpMethod.POST, "/corrections/search", Permission.CORRECT_DATA, "corrections.list",
                        ctx -> search(ctx, QueryInput.ofBody(ctx, "call_id", "caller"))),
                ApiRoute.of(HttpMethod.POST, "/corrections", Permission.CORRECT_DATA, "corrections.add", this::add));
    }

    static JsonObject json(Correction c) {
        return new JsonObject().put("id", c.id().toString()).put("scope", c.scope()).put("call_id", Api.id(c.callId()))
                .put("caller", c.subject()).put("kind", c.kind()).put("statement", c.statement())
                .put("supersedes", Api.id(c.supersedes())).put("superseded_by", Api.id(c.supersededBy()))
                .put("current", c.current()).put("created_by", c.createdBy()).put("created_at", Api.time(c.createdAt()));
    }

    static JsonArray json(List<Correction> corrections) {
        JsonArray a = new JsonArray();
        corrections.forEach(c -> a.add(json(c)));
        return a;
    }

    /**
     * {@code ?call_id=} (statements that apply to the call) or {@code ?caller=} (everything about the
     * caller); with a caller number deprecated (see {@link Api#deprecatedForBody}).
     */
    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "call_id", "caller");
        if (q.string("caller").isPresent()) {
            Api.deprecatedForBody(ctx, "/corrections/search");
        }
        search(ctx, q);
    }

    /** POST /corrections/search: exactly one of {@code call_id} and {@code caller} in a JSON body. */
    private void search(RoutingContext ctx, QueryInput q) {
        Optional<UUID> callId = q.uuid("call_id");
        Optional<String> subject = CallRoutes.subject(api, q);
        if (callId.isPresent() == subject.isPresent()) {
            throw ApiError.badRequest("give exactly one of 'call_id' and 'caller'");
        }
        CorrectionRepository corrections = api.privacy().corrections();
        Future<?> audited = subject.isPresent() ? api.auditAllowedForSubject(ctx, subject.get(), null, new JsonObject())
                : api.auditAllowed(ctx, "call", callId.get().toString(), null, null);
        Api.reply(ctx, audited
                .compose(v -> subject.isPresent() ? corrections.forSubject(subject.get())
                        : corrections.forCall(callId.get()))
                .map(found -> new JsonObject().put("items", json(found))));
    }

    /**
     * Body: exactly one of {@code call_id} and {@code caller}; {@code kind} (correction or supplement);
     * {@code statement}; optionally {@code supersedes} (the id of the current version it amends).
     */
    private void add(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "call_id", "caller", "kind", "statement", "supersedes");
        Optional<UUID> callId = in.optionalString("call_id").map(v -> Ids.parse("call id", v));
        Optional<String> subject = in.optionalString("caller").map(raw -> api.identity().normalize(raw)
                .orElseThrow(() -> ApiError.badRequest("field 'caller' is not a phone number")));
        if (callId.isPresent() == subject.isPresent()) {
            throw ApiError.badRequest("give exactly one of 'call_id' (one call and its recording) and 'caller' "
                    + "(everything about a caller)");
        }
        String kind = in.requiredString("kind");
        if (!KINDS.contains(kind)) {
            throw ApiError.badRequest("field 'kind' must be one of " + KINDS);
        }
        String statement = in.requiredString("statement").trim();
        if (statement.length() < 3) {
            throw ApiError.badRequest("field 'statement' must say what is corrected or added (3 to "
                    + MAX_STATEMENT + " characters)");
        }
        Optional<UUID> supersedes = in.optionalString("supersedes").map(v -> Ids.parse("correction id", v));
        String by = Api.principal(ctx).describe();
        Future<Boolean> known = callId.isPresent() ? api.privacy().legalHolds().callKnown(callId.get())
                : Future.succeededFuture(true);
        known.compose(k -> {
                    if (!k) {
                        throw ApiError.notFound("no call with id " + callId.get());
                    }
                    return api.<Correction>auditedChange(ctx, tx -> (subject.isPresent()
                            ? api.privacy().pseudonyms().of(tx, subject.get()) : Future.succeededFuture((String) null))
                            .compose(pseudonym -> api.privacy().corrections().add(tx,
                                            callId.isPresent() ? CorrectionRepository.CALL : CorrectionRepository.SUBJECT,
                                            callId.orElse(null), subject.orElse(null), kind, statement,
                                            supersedes.orElse(null), by, api.clock().instant())
                                    .map(c -> new AdminApi.Change<>(c, "correction", c.id().toString(),
                                            Api.compact(new JsonObject().put("scope", c.scope()).put("kind", kind)
                                                    .put("call_id", callId.map(UUID::toString).orElse(null))
                                                    .put("caller", pseudonym)
                                                    .put("supersedes", supersedes.map(UUID::toString).orElse(null)))))));
                })
                .onSuccess(c -> Api.json(ctx, 201, json(c)))
                .onFailure(ctx::fail);
    }
}
