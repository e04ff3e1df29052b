package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.consentrecorder.privacy.ConsentRegistryRepository;

/**
 * A caller's consent: the current preference ("do not record" or "granted") with the latest
 * decision, the full history of decisions and preference changes, newest first, and a withdrawal
 * recorded on the caller's behalf (e.g. they wrote an email), effective from their next call.
 * There is no route that grants: consent comes only from the caller, in a call (after the "not
 * recorded" notice they may press the accept key). Audit rows name the caller by pseudonym.
 */
final class ConsentRoutes {
    private final AdminApi api;

    ConsentRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/consent", Permission.SEARCH, "consent.read", ctx -> {
                    QueryInput q = QueryInput.of(ctx, "caller");
                    Api.deprecatedForBody(ctx, "/consent/search");
                    status(ctx, q);
                }),
                ApiRoute.of(HttpMethod.POST, "/consent/search", Permission.SEARCH, "consent.read",
                        ctx -> status(ctx, QueryInput.ofBody(ctx, "caller"))),
                ApiRoute.of(HttpMethod.GET, "/consent/history", Permission.SEARCH, "consent.history", ctx -> {
                    QueryInput q = QueryInput.of(ctx, HISTORY_FILTERS);
                    Api.deprecatedForBody(ctx, "/consent/history/search");
                    history(ctx, q);
                }),
                ApiRoute.of(HttpMethod.POST, "/consent/history/search", Permission.SEARCH, "consent.history",
                        ctx -> history(ctx, QueryInput.ofBody(ctx, HISTORY_FILTERS))),
                ApiRoute.of(HttpMethod.POST, "/consent/withdraw", Permission.WITHDRAW_CONSENT, "consent.withdraw",
                        this::withdraw));
    }

    private static final String[] HISTORY_FILTERS = {"caller", "limit", "offset"};

    private static String requiredSubject(AdminApi api, QueryInput q) {
        return CallRoutes.subject(api, q).orElseThrow(() ->
                ApiError.badRequest("'caller' is required (the caller's number)"));
    }

    /** GET /consent (deprecated: the number is in the URL) or POST /consent/search (the number in the body). */
    private void status(RoutingContext ctx, QueryInput q) {
        String subject = requiredSubject(api, q);
        ConsentRegistryRepository registry = api.privacy().consentRegistry();
        Api.reply(ctx, api.auditAllowedForSubject(ctx, subject, null, null).compose(pseudonym -> {
            Future<Optional<ConsentRegistryRepository.Preference>> preference = registry.preference(subject);
            Future<Optional<ConsentRegistryRepository.Decision>> latest = registry.latestDecision(subject);
            Future<Long> count = registry.decisionCount(subject);
            Future<Boolean> restricted = api.privacy().restrictions().coveringSubject(subject).map(r -> !r.isEmpty());
            return Future.all(preference, latest, count, restricted).map(all -> new JsonObject()
                    .put("caller", subject)
                    .put("restricted", restricted.result())
                    .put("do_not_record", preference.result()
                            .map(p -> "do_not_record".equals(p.preference())).orElse(false))
                    .put("preference", preference.result().map(ConsentRoutes::json).orElse(null))
                    .put("latest_decision", latest.result().map(ConsentRoutes::latest).orElse(null))
                    .put("decisions", count.result())
                    .put("audit_target", pseudonym)
                    .put("history", AdminApi.BASE + "/consent/history/search"));
        }));
    }

    static JsonObject json(ConsentRegistryRepository.Preference p) {
        return new JsonObject().put("preference", p.preference()).put("decision_id", Api.id(p.decisionId()))
                .put("source", p.source()).put("changed_by", p.changedBy()).put("updated_at", Api.time(p.updatedAt()));
    }

    /** The latest decision in brief: what was decided, when, under which notice and basis, by whom. */
    static JsonObject latest(ConsentRegistryRepository.Decision d) {
        return new JsonObject().put("id", d.id().toString()).put("call_id", d.callId().toString())
                .put("outcome", d.outcome()).put("lawful_basis", d.lawfulBasis())
                .put("decided_at", Api.time(d.decidedAt())).put("notice_version", d.noticeVersion())
                .put("language", d.language()).put("keys_pressed", d.keysPressed()).put("decided_by", d.decidedBy());
    }

    static JsonObject json(ConsentRegistryRepository.HistoryEntry e) {
        return new JsonObject().put("kind", e.kind()).put("at", Api.time(e.at())).put("id", e.id())
                .put("call_id", Api.id(e.callId())).put("value", e.value()).put("lawful_basis", e.lawfulBasis())
                .put("notice_version", e.noticeVersion()).put("keys_pressed", e.keysPressed()).put("by", e.by())
                .put("source", e.source());
    }

    /** GET /consent/history (deprecated) or POST /consent/history/search, as {@link #status}. */
    private void history(RoutingContext ctx, QueryInput q) {
        String subject = requiredSubject(api, q);
        int limit = q.limit();
        int offset = q.offset();
        Api.reply(ctx, api.auditAllowedForSubject(ctx, subject, null, null)
                .compose(v -> api.privacy().consentRegistry().history(subject, limit + 1, offset))
                .map(entries -> {
                    JsonArray items = new JsonArray();
                    entries.stream().limit(limit).forEach(e -> items.add(json(e)));
                    return Api.offsetPage(items, limit, offset, entries.size() > limit).put("caller", subject);
                }));
    }

    /**
     * Body {@code {"caller": "...", "note": "..."}}: records "do not record" (source 'api', changed
     * by the operator) in the same transaction as its audit row. Answers the current status.
     */
    private void withdraw(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "caller", "note");
        String raw = in.requiredString("caller");
        String subject = api.identity().normalize(raw).orElseThrow(() ->
                ApiError.badRequest("field 'caller' is not a phone number (digits, optionally a leading +)"));
        String note = in.optionalString("note").map(String::trim).orElse(null);
        String by = Api.principal(ctx).describe();
        java.time.Instant now = api.clock().instant();
        api.<JsonObject>auditedChange(ctx, tx -> api.privacy().pseudonyms().of(tx, subject)
                        .compose(pseudonym -> api.privacy().consentRegistry().withdraw(tx, subject, by, now)
                                .map(changed -> new AdminApi.Change<>(new JsonObject()
                                        .put("caller", subject)
                                        .put("do_not_record", true)
                                        .put("changed", changed)
                                        .put("effective", "from the caller's next call")
                                        .put("audit_target", pseudonym),
                                        "subject", pseudonym, Api.compact(new JsonObject().put("changed", changed)
                                        .put("note", note))))))
                .onSuccess(body -> Api.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }
}
