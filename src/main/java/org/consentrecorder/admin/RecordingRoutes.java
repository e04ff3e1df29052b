package org.consentrecorder.admin;

import org.consentrecorder.archive.ArchiveState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.archive.RecordingArchive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recordings: list, metadata, and the audio itself, decrypted by the {@link RecordingArchive} and
 * streamed. Playing needs a {@code reason}, which goes into the audit row that is written before
 * the first byte. Single HTTP ranges are supported so a browser can seek.
 */
final class RecordingRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingRoutes.class);
    static final int MAX_REASON = 500;
    private final AdminApi api;

    RecordingRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/recordings", Permission.SEARCH, "recordings.search", this::list),
                ApiRoute.of(HttpMethod.GET, "/recordings/:id", Permission.SEARCH, "recordings.read", this::read),
                ApiRoute.of(HttpMethod.POST, "/recordings/:id/playback", Permission.PLAYBACK, "recordings.playback_ticket",
                        this::ticket),
                ApiRoute.of(HttpMethod.GET, "/recordings/:id/audio", Permission.PLAYBACK, "recordings.play", this::audio));
    }

    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "call_id", "caller", "from", "to", "limit", "cursor");
        Optional<UUID> callId = q.uuid("call_id");
        Optional<String> subject = CallRoutes.subject(api, q);
        Instant[] range = q.timeRange();
        int limit = q.limit();
        Optional<Cursor> cursor = Cursor.from(q);
        JsonObject filters = Api.compact(new JsonObject().put("call_id", callId.map(UUID::toString).orElse(null))
                .put("caller", subject.orElse(null)).put("from", Api.time(range[0])).put("to", Api.time(range[1])));
        RecordingSearchRepository.Filter filter = new RecordingSearchRepository.Filter(callId.orElse(null),
                subject.orElse(null), range[0], range[1], cursor.orElse(null));
        Future<?> audited = subject.isPresent() ? api.auditAllowedForSubject(ctx, subject.get(), null, filters)
                : api.auditAllowed(ctx, "recording", null, null, filters);
        Api.reply(ctx, audited
                .compose(v -> api.recordingSearch().search(filter, limit + 1))
                .map(recordings -> {
                    JsonArray items = new JsonArray();
                    recordings.stream().limit(limit).forEach(r -> items.add(json(r)));
                    RecordingSearchRepository.RecordingInfo last = recordings.size() > limit
                            ? recordings.get(limit - 1) : null;
                    return Api.page(items, limit, last == null ? null
                            : new Cursor(last.finishedAt(), last.id()).encode());
                }));
    }

    static JsonObject json(RecordingSearchRepository.RecordingInfo r) {
        return new JsonObject().put("id", r.id().toString()).put("call_id", r.callId().toString())
                .put("consent_id", Api.id(r.consentId())).put("caller", r.caller()).put("format", r.format())
                .put("state", r.state()).put("duration_seconds", r.durationSeconds())
                .put("plaintext_bytes", r.plaintextBytes()).put("finished_at", Api.time(r.finishedAt()))
                .put("archived_at", Api.time(r.archivedAt()));
    }

    private void read(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("recording id", ctx.pathParam("id"));
        Api.reply(ctx, api.auditAllowed(ctx, "recording", id.toString(), null, null)
                .compose(v -> api.recordingSearch().find(id))
                .map(found -> {
                    RecordingSearchRepository.RecordingInfo r = found.orElseThrow(() ->
                            ApiError.notFound("no recording with id " + id));
                    return json(r).put("playable", r.playable())
                            .put("audio", AdminApi.BASE + "/recordings/" + id + "/audio");
                }));
    }

    /**
     * POST /recordings/{id}/playback {"reason": "..."}: the reason in a body, a ticket in the answer
     * for {@code GET /recordings/{id}/audio?ticket=…} ({@link PlaybackTickets}).
     */
    private void ticket(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("recording id", ctx.pathParam("id"));
        String reason = JsonInput.of(ctx, false, "reason").requiredString("reason", MAX_REASON).trim();
        if (reason.length() < 3) {
            throw ApiError.badRequest("field 'reason' must say why you play this recording (3 to " + MAX_REASON
                    + " characters, e.g. a ticket number); it goes into the audit trail");
        }
        Principal p = Api.principal(ctx);
        Api.reply(ctx, api.auditAllowed(ctx, "recording", id.toString(), reason, null).map(v -> {
            String ticket = api.playbackTickets().issue(id, p.tokenId(), reason, api.clock().instant());
            return new JsonObject().put("ticket", ticket)
                    .put("audio_url", AdminApi.BASE + "/recordings/" + id + "/audio?ticket=" + ticket)
                    .put("expires_in", PlaybackTickets.TTL.toSeconds());
        }));
    }

    private void audio(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "reason", "ticket");
        UUID id = Ids.parse("recording id", ctx.pathParam("id"));
        Optional<String> ticket = q.string("ticket", 64);
        String reason;
        if (ticket.isPresent()) {
            reason = api.playbackTickets().redeem(ticket.get(), id, Api.principal(ctx).tokenId(), api.clock().instant())
                    .orElseThrow(() -> ApiError.badRequest("query parameter 'ticket' is unknown, expired, or for "
                            + "another recording or session; ask for a new one (POST " + AdminApi.BASE
                            + "/recordings/{id}/playback)"));
        } else {
            // deprecated: the reason in the URL lands in proxy and access logs
            reason = q.string("reason", MAX_REASON).map(String::trim).orElse("");
            if (reason.length() < 3) {
                throw ApiError.badRequest("a playback ticket is required: POST " + AdminApi.BASE + "/recordings/{id}/"
                        + "playback with the reason (3 to " + MAX_REASON + " characters, e.g. a ticket number), "
                        + "then GET this with ?ticket=…");
            }
            ctx.response().putHeader("deprecation", "true");
        }
        RecordingArchive archive = api.archive();
        if (archive == null) {
            throw ApiError.unavailable("the recording archive is not available");
        }
        String rangeHeader = ctx.request().getHeader("range");
        archive.find(id).compose(found -> {
            RecordingArchive.ArchivedRecording rec = found.orElseThrow(() -> ApiError.notFound("no archived recording with id " + id));
            if (!ArchiveState.fromWire(rec.state()).playable()) {
                throw ApiError.conflict("recording " + id + " is '" + rec.state() + "', not playable");
            }
            Optional<ByteRange> range;
            try {
                range = ByteRange.parse(rangeHeader, rec.plaintextBytes());
            } catch (ApiError e) {
                ctx.response().putHeader("content-range", "bytes */" + rec.plaintextBytes());
                throw e;
            }
            long offset = range.map(ByteRange::start).orElse(0L);
            long length = range.map(ByteRange::length).orElse(rec.plaintextBytes());
            JsonObject detail = new JsonObject().put("call_id", rec.callId().toString())
                    .put("range", range.map(ByteRange::contentRange).orElse("all " + rec.plaintextBytes()));
            return api.auditAllowed(ctx, "recording", id.toString(), reason, detail)
                    .compose(v -> archive.open(id, offset, length).recover(e -> {
                        api.auditMore(ctx, "recording", id.toString(), reason, "failed", detail.copy()
                                .put("cause", "open: " + e.getClass().getSimpleName()));
                        LOG.error("recording {} cannot be opened: {}", id, e.getMessage());
                        return Future.failedFuture(ApiError.unavailable("the recording cannot be read"));
                    }))
                    .compose(stream -> stream(ctx, rec, range, length, stream, reason, detail));
        }).onFailure(ctx::fail);
    }

    private Future<Void> stream(RoutingContext ctx, RecordingArchive.ArchivedRecording rec, Optional<ByteRange> range,
                                long length, ReadStream<Buffer> stream, String reason, JsonObject detail) {
        HttpServerResponse res = ctx.response();
        res.setStatusCode(range.isPresent() ? 206 : 200)
                .putHeader("content-type", contentType(rec.format()))
                .putHeader("content-length", String.valueOf(length))
                .putHeader("accept-ranges", "bytes")
                .putHeader("content-disposition", "inline; filename=\"" + rec.id() + "." + rec.format() + "\"");
        range.ifPresent(r -> res.putHeader("content-range", r.contentRange()));
        return stream.pipe().endOnFailure(false).to(res).recover(e -> {
            // authentication failed mid-stream (or the client went away): never let a short body pass as whole
            LOG.warn("recording {}: stream ended early: {}", rec.id(), e.getMessage());
            if (!res.closed()) {
                res.reset();
            }
            api.auditMore(ctx, "recording", rec.id().toString(), reason, "failed",
                    detail.copy().put("cause", "stream: " + e.getClass().getSimpleName()));
            return Future.succeededFuture();
        });
    }

    static String contentType(String format) {
        return switch (format == null ? "" : format) {
            case "wav", "wav16" -> "audio/wav";
            case "gsm" -> "audio/x-gsm";
            case "ulaw", "alaw", "au" -> "audio/basic";
            case "mp3" -> "audio/mpeg";
            case "ogg" -> "audio/ogg";
            default -> "application/octet-stream";
        };
    }
}
