package org.consentrecorder.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.call.CallRegistry;
import org.consentrecorder.call.ControlAction;

/**
 * Live calls, for agent desktops and payment systems: find a live call (by the Asterisk channel
 * id the desktop knows), pause, resume, or stop and discard its recording. The request is audited
 * before it goes to Asterisk and its result afterwards. An agent sees and controls only the calls
 * of its endpoints ({@link AgentScope}); another call is "not found" to it, as if it did not exist.
 * A supervisor acts on all. "stop" is an operator stop: the recording is discarded, and it is never
 * written as the caller's withdrawal of consent.
 */
final class LiveCallRoutes {
    private final AdminApi api;

    LiveCallRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/live-calls", Permission.CONTROL_LIVE_CALLS, "live_calls.list", this::list),
                ApiRoute.of(HttpMethod.POST, "/live-calls/:id/pause", Permission.CONTROL_LIVE_CALLS, "live_calls.pause",
                        ctx -> control(ctx, ControlAction.PAUSE)),
                ApiRoute.of(HttpMethod.POST, "/live-calls/:id/resume", Permission.CONTROL_LIVE_CALLS, "live_calls.resume",
                        ctx -> control(ctx, ControlAction.RESUME)),
                ApiRoute.of(HttpMethod.POST, "/live-calls/:id/stop", Permission.CONTROL_LIVE_CALLS, "live_calls.stop",
                        ctx -> control(ctx, ControlAction.STOP)));
    }

    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "channel_id", "limit", "offset");
        Optional<String> channel = q.string("channel_id");
        int limit = q.limit();
        int offset = q.offset();
        Principal me = Api.principal(ctx);
        Api.reply(ctx, api.auditAllowed(ctx, "live_call", null, null,
                        Api.compact(new JsonObject().put("channel_id", channel.orElse(null))))
                .compose(v -> api.calls().liveCalls())
                .map(calls -> {
                    List<CallRegistry.LiveCall> matching = calls.stream()
                            .filter(c -> channel.isEmpty() || channel.get().equals(c.channelId()))
                            .filter(c -> AgentScope.allows(me, c))
                            .sorted((a, b) -> a.callId().compareTo(b.callId()))
                            .toList();
                    JsonArray items = new JsonArray();
                    matching.stream().skip(offset).limit(limit).forEach(c -> items.add(new JsonObject()
                            .put("call_id", c.callId().toString()).put("server", c.server())
                            .put("channel_id", c.channelId())
                            .put("phase", c.phase().wire())
                            .put("outcome", c.outcome() == null ? null : c.outcome().wire())
                            .put("recording", c.recording()).put("paused", c.paused())
                            .put("channel_name", c.channelName())
                            .put("peers", new JsonArray(c.peers().stream().sorted().map(Object.class::cast).toList()))));
                    return Api.offsetPage(items, limit, offset, matching.size() > offset + limit);
                }));
    }

    private void control(RoutingContext ctx, ControlAction action) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("call id", ctx.pathParam("id"));
        JsonInput in = JsonInput.of(ctx, true, "reason");
        String reason = in.optionalString("reason").orElse(null);
        Principal p = Api.principal(ctx);
        api.auditAllowed(ctx, "call", id.toString(), reason, new JsonObject().put("action", action.wire()))
                .compose(v -> api.calls().liveCalls())
                .compose(calls -> {
                    boolean mine = calls.stream().anyMatch(c -> c.callId().equals(id) && AgentScope.allows(p, c));
                    // another agent's call answers as an unknown one: its existence is not this agent's business
                    return mine ? api.calls().control(id, action, "api:" + p.describe())
                            : io.vertx.core.Future.succeededFuture(CallRegistry.ControlResult.notFound());
                })
                .onSuccess(result -> {
                    int status = httpStatus(result.status().wire());
                    JsonObject body = new JsonObject().put("call_id", id.toString()).put("action", action.wire())
                            .put("status", result.status().wire()).put("detail", result.detail());
                    if (status >= 400) {
                        body.put("error", errorCode(status)).put("message", message(result));
                    }
                    // the result is in the trail when the client hears it (the action happened either way)
                    api.auditMore(ctx, "call", id.toString(), reason, result.status().wire(),
                                    new JsonObject().put("action", action.wire()))
                            .onComplete(ar -> Api.json(ctx, status, body));
                })
                .onFailure(ctx::fail);
    }

    /**
     * Every state in which the recording is safe (paused, resumed, discarded, or stopped because a
     * pause failed) is a 200 with the status in the body; the rest say what went wrong.
     */
    static int httpStatus(String status) {
        return switch (status) {
            case "paused", "already_paused", "recording", "already_recording", "discarded",
                 "pause_failed_recording_stopped" -> 200;
            case "not_found" -> 404;
            case "not_recording" -> 409;
            case "resume_failed_still_paused" -> 502;
            case "timeout" -> 504;
            default -> 502;
        };
    }

    private static String errorCode(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 409 -> "conflict";
            case 504 -> "timeout";
            default -> "upstream_failed";
        };
    }

    private static String message(CallRegistry.ControlResult r) {
        return switch (r.status().wire()) {
            case "not_found" -> "no live call with this id";
            case "not_recording" -> "the call is not being recorded";
            case "resume_failed_still_paused" -> "Asterisk did not resume the recording; it stays paused";
            case "timeout" -> "Asterisk did not answer in time";
            default -> r.detail() == null ? r.status().wire() : r.detail();
        };
    }
}
