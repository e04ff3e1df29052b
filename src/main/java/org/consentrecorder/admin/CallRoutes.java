package org.consentrecorder.admin;

import org.consentrecorder.archive.ArchiveState;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
                ApiRoute.of(HttpMethod.POST, "/calls/search", Permission.SEARCH, "calls.search",
                        ctx -> search(ctx, QueryInput.ofBody(ctx, FILTERS))),
                ApiRoute.of(HttpMethod.GET, "/calls/:id", Permission.SEARCH, "calls.read", this::read));
    }

    /** The caller query parameter as a subject, or a 400 naming the problem. */
    static Optional<String> subject(AdminApi api, QueryInput q) {
        return q.string("caller").map(raw -> api.identity().normalize(raw).orElseThrow(() ->
                ApiError.badRequest("query parameter 'caller' is not a phone number (digits, optionally a leading +; "
                        + "URL-encode + as %2B)")));
    }

    private static final String[] FILTERS = {"from", "to", "caller", "outcome", "has_recording", "server", "limit",
        "cursor"};

    /**
     * GET /calls: deprecated with a caller number (the number lands in proxy and access logs);
     * answered for one release with a Deprecation header pointing at POST /calls/search.
     */
    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, FILTERS);
        if (q.string("caller").isPresent()) {
            ctx.response().putHeader("deprecation", "true")
                    .putHeader("link", "<" + AdminApi.BASE + "/calls/search>; rel=\"successor-version\"");
        }
        search(ctx, q);
    }

    /** POST /calls/search: the same filters in a JSON body, so no caller number travels in a URL. */
    private void search(RoutingContext ctx, QueryInput q) {
        Instant[] range = q.timeRange();
        Optional<String> subject = subject(api, q);
        Optional<String> outcome = q.oneOf("outcome", OUTCOMES);
        Optional<Boolean> hasRecording = q.bool("has_recording");
        // the Asterisk server's name as configured; an unknown name simply finds nothing
        Optional<String> server = q.string("server");
        int limit = q.limit();
        Optional<Cursor> cursor = Cursor.from(q);
        JsonObject filters = Api.compact(new JsonObject().put("from", Api.time(range[0])).put("to", Api.time(range[1]))
                .put("caller", subject.orElse(null)).put("outcome", outcome.orElse(null))
                .put("has_recording", hasRecording.orElse(null)).put("server", server.orElse(null))
                .put("cursor", cursor.isPresent() ? true : null));
        CallSearchRepository.Filter filter = new CallSearchRepository.Filter(range[0], range[1], subject.orElse(null),
                outcome.orElse(null), hasRecording.orElse(null), cursor.orElse(null), server.orElse(null));
        Future<?> audited = subject.isPresent() ? api.auditAllowedForSubject(ctx, subject.get(), null, filters)
                : api.auditAllowed(ctx, "call", null, null, filters);
        Api.reply(ctx, audited
                .compose(v -> api.callSearch().search(filter, limit + 1))
                .map(calls -> {
                    JsonArray items = new JsonArray();
                    calls.stream().limit(limit).forEach(c -> items.add(json(c)));
                    CallSearchRepository.CallSummary last = calls.size() > limit ? calls.get(limit - 1) : null;
                    return Api.page(items, limit, last == null ? null : new Cursor(last.startedAt(), last.id()).encode());
                }));
    }

    static JsonObject json(CallSearchRepository.CallSummary c) {
        String state = c.recordingArchiveState();
        return new JsonObject().put("id", c.id().toString()).put("server", c.server())
                .put("started_at", Api.time(c.startedAt()))
                .put("ended_at", Api.time(c.endedAt())).put("caller", c.caller()).put("outcome", c.outcome())
                .put("phase", c.phase()).put("recording_state", c.recordingState()).put("paused", c.paused())
                .put("consent_id", Api.id(c.consentId())).put("restricted", c.restricted())
                .put("has_recording", state != null && ArchiveState.fromWire(state).playable())
                .put("recording", c.recordingId() == null ? null
                        : new JsonObject().put("id", c.recordingId().toString()).put("state", state));
    }

    private void read(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("call id", ctx.pathParam("id"));
        Api.reply(ctx, api.auditAllowed(ctx, "call", id.toString(), null, null)
                .compose(v -> api.callSearch().find(id))
                .compose(found -> {
                    JsonObject call = json(found.orElseThrow(() -> ApiError.notFound("no call with id " + id)));
                    Future<JsonArray> evidence = api.privacy().consentRegistry().decisionsOfCall(id)
                            .map(decisions -> {
                                JsonArray a = new JsonArray();
                                decisions.forEach(d -> a.add(d.toJson()));
                                return a;
                            });
                    Future<JsonArray> timeline = api.callSearch().timeline(id).map(entries -> {
                        JsonArray a = new JsonArray();
                        entries.forEach(e -> a.add(json(e)));
                        return a;
                    });
                    Future<JsonObject> recording = api.recordingSearch().ofCall(id)
                            .map(r -> r.map(RecordingRoutes::json).orElse(null));
                    Future<JsonArray> corrections = api.privacy().corrections().forCall(id)
                            .map(CorrectionRoutes::json);
                    return Future.all(evidence, timeline, recording, corrections).map(all -> call
                            .put("consent_evidence", evidence.result())
                            .put("timeline", timeline.result())
                            .put("recording", recording.result())
                            .put("corrections", corrections.result()));
                }));
    }

    static JsonObject json(CallSearchRepository.CallDetail c) {
        return new JsonObject().put("id", c.id().toString()).put("server", c.server()).put("channel_id", c.channelId())
                .put("channel_name", c.channelName()).put("linked_id", c.linkedId()).put("caller", c.caller())
                .put("asterisk_id", c.asteriskId()).put("started_at", Api.time(c.startedAt()))
                .put("ended_at", Api.time(c.endedAt())).put("phase", c.phase()).put("outcome", c.outcome())
                .put("consent_id", Api.id(c.consentId())).put("recording_name", c.recordingName())
                .put("recording_state", c.recordingState()).put("paused", c.paused())
                .put("updated_at", Api.time(c.updatedAt())).put("restricted", c.restricted());
    }

    static JsonObject json(CallSearchRepository.TimelineEntry e) {
        return new JsonObject().put("id", e.id()).put("recording_name", e.recordingName()).put("change", e.change())
                .put("trigger_kind", e.triggerKind()).put("trigger_detail", e.triggerDetail())
                .put("offset_ms", e.offsetMs()).put("requested_at", Api.time(e.requestedAt()))
                .put("accepted_at", Api.time(e.acceptedAt())).put("pause_style", e.pauseStyle())
                .put("written_at", Api.time(e.writtenAt()));
    }
}
