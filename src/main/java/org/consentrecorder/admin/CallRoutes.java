package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.call.Outcome;

/**
 * Calls: search (time range, caller, outcome, has recording) and detail with the consent
 * evidence, the pause/resume timeline and the archived recording. A caller is searched by the
 * normalized number (the subject), exactly as the consent registry stores it.
 */
final class CallRoutes {
    static final List<String> OUTCOMES = Arrays.stream(Outcome.values()).map(Outcome::wire).toList();
    private final AdminApi api;

    CallRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/calls", Permission.SEARCH, "calls.search", this::list),
                ApiRoute.of(HttpMethod.GET, "/calls/:id", Permission.SEARCH, "calls.read", this::read));
    }

    /** The caller query parameter as a subject, or a 400 naming the problem. */
    static Optional<String> subject(AdminApi api, QueryInput q) {
        return q.string("caller", 64).map(raw -> api.identity().normalize(raw).orElseThrow(() ->
                ApiError.badRequest("query parameter 'caller' is not a phone number (digits, optionally a leading +; "
                        + "URL-encode + as %2B)")));
    }

    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "from", "to", "caller", "outcome", "has_recording", "limit", "cursor");
        Instant[] range = q.timeRange();
        Optional<String> subject = subject(api, q);
        Optional<String> outcome = q.oneOf("outcome", OUTCOMES);
        Optional<Boolean> hasRecording = q.bool("has_recording");
        int limit = q.limit();
        Optional<Cursor> cursor = Cursor.from(q);
        JsonObject filters = Api.compact(new JsonObject().put("from", Api.time(range[0])).put("to", Api.time(range[1]))
                .put("caller", subject.orElse(null)).put("outcome", outcome.orElse(null))
                .put("has_recording", hasRecording.orElse(null)).put("cursor", cursor.isPresent() ? true : null));
        List<Object> params = Arrays.asList(ts(range[0]), ts(range[1]), subject.orElse(null), outcome.orElse(null),
                hasRecording.orElse(null), cursor.map(Cursor::time).orElse(null), cursor.map(Cursor::id).orElse(null),
                limit + 1);
        Future<?> audited = subject.isPresent() ? api.auditAllowedForSubject(ctx, subject.get(), null, filters)
                : api.auditAllowed(ctx, "call", null, null, filters);
        Api.reply(ctx, audited
                .compose(v -> api.pool().preparedQuery("select c.id, c.started_at, c.ended_at, c.caller_subject as caller, "
                                + "c.outcome, c.phase, c.recording_state, c.paused, c.consent_id, "
                                + "r.id as recording_id, r.state as recording_archive_state "
                                + "from call c left join recording r on r.call_id = c.id "
                                + "where ($1::timestamptz is null or c.started_at >= $1) "
                                + "and ($2::timestamptz is null or c.started_at < $2) "
                                + "and ($3::text is null or c.caller_subject = $3) "
                                + "and ($4::text is null or c.outcome = $4) "
                                + "and ($5::boolean is null or (coalesce(r.state in ('verified', 'archived'), false) = $5)) "
                                + "and ($6::timestamptz is null or (c.started_at, c.id) < ($6, $7::uuid)) "
                                + "order by c.started_at desc, c.id desc limit $8")
                        .execute(Tuple.wrap(params)))
                .map(rows -> {
                    JsonArray items = new JsonArray();
                    Row last = null;
                    for (Row r : rows) {
                        if (items.size() == limit) {
                            break;
                        }
                        JsonObject item = Api.row(r, Set.of("recording_id", "recording_archive_state"));
                        String state = r.getString("recording_archive_state");
                        item.put("has_recording", "verified".equals(state) || "archived".equals(state));
                        item.put("recording", r.getUUID("recording_id") == null ? null : new JsonObject()
                                .put("id", r.getUUID("recording_id").toString()).put("state", state));
                        items.add(item);
                        last = r;
                    }
                    String next = rows.size() > limit && last != null
                            ? Cursor.of(last.getOffsetDateTime("started_at"), last.getUUID("id")) : null;
                    return Api.page(items, limit, next);
                }));
    }

    private void read(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("call id", ctx.pathParam("id"));
        Api.reply(ctx, api.auditAllowed(ctx, "call", id.toString(), null, null)
                .compose(v -> api.pool().preparedQuery("select id, channel_id, channel_name, linked_id, "
                                + "caller_subject as caller, asterisk_id, started_at, ended_at, phase, outcome, consent_id, "
                                + "recording_name, recording_state, paused, updated_at from call where id = $1")
                        .execute(Tuple.of(id)))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.failedFuture(ApiError.notFound("no call with id " + id));
                    }
                    JsonObject call = Api.row(rows.iterator().next(), Set.of());
                    Future<JsonArray> evidence = api.pool().preparedQuery("select d.*, v.notice_text "
                                    + "from consent_decision d join notice_version v on v.version = d.notice_version "
                                    + "where d.call_id = $1 order by d.decided_at, d.written_at")
                            .execute(Tuple.of(id)).map(r -> Api.rows(r, Set.of(), Integer.MAX_VALUE));
                    Future<JsonArray> timeline = api.pool().preparedQuery("select id, recording_name, change, "
                                    + "trigger_kind, trigger_detail, offset_ms, requested_at, accepted_at, pause_style, "
                                    + "written_at from recording_timeline where call_id = $1 order by id")
                            .execute(Tuple.of(id)).map(r -> Api.rows(r, Set.of(), Integer.MAX_VALUE));
                    Future<JsonObject> recording = api.pool().preparedQuery(RecordingRoutes.COLUMNS
                                    + " from recording where call_id = $1")
                            .execute(Tuple.of(id)).map(r -> r.size() == 0 ? null : Api.row(r.iterator().next(), Set.of()));
                    return Future.all(evidence, timeline, recording).map(all -> call
                            .put("consent_evidence", evidence.result())
                            .put("timeline", timeline.result())
                            .put("recording", recording.result()));
                }));
    }

    static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
