package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
    static final String COLUMNS = "select id, call_id, consent_id, subject as caller, format, state, duration_seconds, "
            + "plaintext_bytes, finished_at, archived_at";
    static final int MAX_REASON = 500;
    private final AdminApi api;

    RecordingRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/recordings", Permission.SEARCH, "recordings.search", this::list),
                ApiRoute.of(HttpMethod.GET, "/recordings/:id", Permission.SEARCH, "recordings.read", this::read),
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
        List<Object> params = Arrays.asList(callId.orElse(null), subject.orElse(null), CallRoutes.ts(range[0]),
                CallRoutes.ts(range[1]), cursor.map(Cursor::time).orElse(null), cursor.map(Cursor::id).orElse(null),
                limit + 1);
        Future<?> audited = subject.isPresent() ? api.auditAllowedForSubject(ctx, subject.get(), null, filters)
                : api.auditAllowed(ctx, "recording", null, null, filters);
        Api.reply(ctx, audited
                .compose(v -> api.pool().preparedQuery(COLUMNS + " from recording "
                                + "where ($1::uuid is null or call_id = $1) and ($2::text is null or subject = $2) "
                                + "and ($3::timestamptz is null or finished_at >= $3) "
                                + "and ($4::timestamptz is null or finished_at < $4) "
                                + "and ($5::timestamptz is null or (finished_at, id) < ($5, $6::uuid)) "
                                + "order by finished_at desc, id desc limit $7")
                        .execute(Tuple.wrap(params)))
                .map(rows -> {
                    io.vertx.core.json.JsonArray items = Api.rows(rows, Set.of(), limit);
                    String next = null;
                    if (rows.size() > limit) {
                        Row last = null;
                        int i = 0;
                        for (Row r : rows) {
                            if (i++ == limit - 1) {
                                last = r;
                            }
                        }
                        next = Cursor.of(last.getOffsetDateTime("finished_at"), last.getUUID("id"));
                    }
                    return Api.page(items, limit, next);
                }));
    }

    private void read(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("recording id", ctx.pathParam("id"));
        Api.reply(ctx, api.auditAllowed(ctx, "recording", id.toString(), null, null)
                .compose(v -> api.pool().preparedQuery(COLUMNS + " from recording where id = $1").execute(Tuple.of(id)))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ApiError.notFound("no recording with id " + id);
                    }
                    JsonObject o = Api.row(rows.iterator().next(), Set.of());
                    String state = o.getString("state");
                    o.put("playable", "verified".equals(state) || "archived".equals(state));
                    o.put("audio", AdminApi.BASE + "/recordings/" + id + "/audio");
                    return o;
                }));
    }

    private void audio(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "reason");
        UUID id = Ids.parse("recording id", ctx.pathParam("id"));
        String reason = q.string("reason", MAX_REASON).map(String::trim).orElse("");
        if (reason.length() < 3) {
            throw ApiError.badRequest("query parameter 'reason' is required: say why you play this recording "
                    + "(3 to " + MAX_REASON + " characters, e.g. a ticket number); it goes into the audit trail");
        }
        RecordingArchive archive = api.archive();
        if (archive == null) {
            throw ApiError.unavailable("the recording archive is not available");
        }
        String rangeHeader = ctx.request().getHeader("range");
        archive.find(id).compose(found -> {
            RecordingArchive.ArchivedRecording rec = found.orElseThrow(() -> ApiError.notFound("no archived recording with id " + id));
            if (!"verified".equals(rec.state()) && !"archived".equals(rec.state())) {
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
