package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Set;

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
                ApiRoute.of(HttpMethod.GET, "/consent", Permission.SEARCH, "consent.read", this::status),
                ApiRoute.of(HttpMethod.GET, "/consent/history", Permission.SEARCH, "consent.history", this::history),
                ApiRoute.of(HttpMethod.POST, "/consent/withdraw", Permission.WITHDRAW_CONSENT, "consent.withdraw",
                        this::withdraw));
    }

    private static String requiredSubject(AdminApi api, QueryInput q) {
        return CallRoutes.subject(api, q).orElseThrow(() ->
                ApiError.badRequest("query parameter 'caller' is required (the caller's number)"));
    }

    private void status(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "caller");
        String subject = requiredSubject(api, q);
        Api.reply(ctx, api.auditAllowedForSubject(ctx, subject, null, null).compose(pseudonym -> {
            Future<JsonObject> preference = api.pool().preparedQuery("select preference, decision_id, source, changed_by, "
                            + "updated_at from subject_preference where subject = $1")
                    .execute(Tuple.of(subject)).map(r -> r.size() == 0 ? null : Api.row(r.iterator().next(), Set.of()));
            Future<JsonObject> latest = api.pool().preparedQuery("select id, call_id, outcome, lawful_basis, decided_at, "
                            + "notice_version, language, keys_pressed, decided_by from consent_decision "
                            + "where caller_subject = $1 order by decided_at desc, written_at desc limit 1")
                    .execute(Tuple.of(subject)).map(r -> r.size() == 0 ? null : Api.row(r.iterator().next(), Set.of()));
            Future<Long> count = api.pool().preparedQuery("select count(*) from consent_decision where caller_subject = $1")
                    .execute(Tuple.of(subject)).map(r -> r.iterator().next().getLong(0));
            return Future.all(preference, latest, count).map(all -> new JsonObject()
                    .put("caller", subject)
                    .put("do_not_record", preference.result() != null
                            && "do_not_record".equals(preference.result().getString("preference")))
                    .put("preference", preference.result())
                    .put("latest_decision", latest.result())
                    .put("decisions", count.result())
                    .put("audit_target", pseudonym)
                    .put("history", AdminApi.BASE + "/consent/history"));
        }));
    }

    private void history(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "caller", "limit", "offset");
        String subject = requiredSubject(api, q);
        int limit = q.limit();
        int offset = q.offset();
        Api.reply(ctx, api.auditAllowedForSubject(ctx, subject, null, null)
                .compose(v -> api.pool().preparedQuery("select * from ("
                                + "select 'decision' as kind, d.decided_at as at, d.id::text as id, d.call_id, "
                                + "d.outcome as value, d.lawful_basis, d.notice_version, d.keys_pressed, "
                                + "d.decided_by as by, null::text as source from consent_decision d where d.caller_subject = $1 "
                                + "union all "
                                + "select 'preference', h.changed_at, h.id::text, null, h.preference, null, null, null, "
                                + "h.changed_by, h.source from subject_preference_history h where h.subject = $1"
                                + ") x order by at desc, kind, id limit $2 offset $3")
                        .execute(Tuple.of(subject, limit + 1, offset)))
                .map(rows -> Api.offsetPage(Api.rows(rows, Set.of(), limit), limit, offset, rows.size() > limit)
                        .put("caller", subject)));
    }

    /**
     * Body {@code {"caller": "...", "note": "..."}}: records "do not record" (source 'api', changed
     * by the operator) in the same transaction as its audit row. Answers the current status.
     */
    private void withdraw(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "caller", "note");
        String raw = in.requiredString("caller", 64);
        String subject = api.identity().normalize(raw).orElseThrow(() ->
                ApiError.badRequest("field 'caller' is not a phone number (digits, optionally a leading +)"));
        String note = in.optionalString("note", 500).map(String::trim).orElse(null);
        String by = Api.principal(ctx).describe();
        java.time.Instant now = api.clock().instant();
        api.<JsonObject>auditedChange(ctx, tx -> org.consentrecorder.privacy.SubjectPseudonyms.of(tx.connection(), subject)
                        .compose(pseudonym -> org.consentrecorder.call.CallRepository
                                .withdrawOnRequest(tx.connection(), subject, by, now)
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
