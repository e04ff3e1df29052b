package org.consentrecorder.admin;

import org.consentrecorder.archive.ArchiveState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.archive.BackPressuredOutputStream;
import org.consentrecorder.archive.ReadStreamInputStream;
import org.consentrecorder.archive.RecordingArchive;
import org.consentrecorder.audio.Codec;
import org.consentrecorder.audio.EncodingParameters;
import org.consentrecorder.audio.PlayableWav;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Recordings: list, metadata, and the audio itself, decrypted by the {@link RecordingArchive} and
 * streamed. Playing needs a {@code reason}, which goes into the audit row that is written before
 * the first byte: when a playback ticket is issued ({@link PlaybackTickets}, whose URL a browser's
 * {@code <audio>} element uses without the bearer token), or per request on the deprecated
 * {@code ?reason=} form. Single HTTP ranges are supported so a browser can seek. The audio is served as
 * stored (Ogg Opus as {@code audio/ogg}, A-law and WAV as {@code audio/wav}) or, with
 * {@code format=wav}, decoded on the fly into a 16-bit PCM WAV for players without Opus.
 */
final class RecordingRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingRoutes.class);
    static final String STORED = "stored";
    static final String WAV = "wav";
    /** How long a decoding worker waits for the archive or for a slow client. */
    private static final Duration STALL = Duration.ofMinutes(2);
    private final AdminApi api;

    RecordingRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/recordings", Permission.SEARCH, "recordings.search", this::list),
                ApiRoute.of(HttpMethod.POST, "/recordings/search", Permission.SEARCH, "recordings.search",
                        ctx -> search(ctx, QueryInput.ofBody(ctx, FILTERS))),
                ApiRoute.of(HttpMethod.GET, "/recordings/:id", Permission.SEARCH, "recordings.read", this::read),
                // issuing the ticket is where playing is allowed and audited: the same action as the audio itself
                ApiRoute.of(HttpMethod.POST, "/recordings/:id/playback", Permission.PLAYBACK, "recordings.play",
                        this::ticket),
                ApiRoute.ticketed(HttpMethod.GET, "/recordings/:id/audio", Permission.PLAYBACK, "recordings.play",
                        this::audio));
    }

    private static final String[] FILTERS = {"call_id", "caller", "from", "to", "limit", "cursor"};

    /** GET /recordings: deprecated with a caller number (see {@link Api#deprecatedForBody}). */
    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, FILTERS);
        if (q.string("caller").isPresent()) {
            Api.deprecatedForBody(ctx, "/recordings/search");
        }
        search(ctx, q);
    }

    /** POST /recordings/search: the same filters in a JSON body, so no caller number travels in a URL. */
    private void search(RoutingContext ctx, QueryInput q) {
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
                .put("server", r.server())
                .put("consent_id", Api.id(r.consentId())).put("caller", r.caller()).put("format", r.format())
                .put("codec", r.codec())
                .put("state", r.state()).put("duration_seconds", r.durationSeconds())
                .put("plaintext_bytes", r.plaintextBytes()).put("finished_at", Api.time(r.finishedAt()))
                .put("archived_at", Api.time(r.archivedAt())).put("restricted", r.restricted());
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
     * POST /recordings/{id}/playback {"reason": "...", "format": "stored"|"wav", "purpose": "legal_claims"}:
     * the reason in a body; the recording's restriction (if any) is checked and the audit row written
     * here, once for the whole listening; the answer's ticket then fetches
     * {@code GET /recordings/{id}/audio?ticket=…}, with or without the bearer token ({@link PlaybackTickets}).
     */
    private void ticket(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("recording id", ctx.pathParam("id"));
        JsonInput in = JsonInput.of(ctx, false, "reason", "format", "purpose");
        String reason = in.requiredString("reason").trim();
        if (reason.length() < 3) {
            throw ApiError.badRequest("field 'reason' must say why you play this recording (3 characters or more, "
                    + "e.g. a ticket number); it goes into the audit trail");
        }
        String format = format(in.optionalString("format"), "field");
        Optional<String> purpose = in.optionalString("purpose");
        if (purpose.isPresent() && !RestrictionRoutes.LEGAL_CLAIMS.equals(purpose.get())) {
            throw ApiError.badRequest("field 'purpose' must be '" + RestrictionRoutes.LEGAL_CLAIMS + "' or absent");
        }
        RecordingArchive archive = api.archive();
        if (archive == null) {
            throw ApiError.unavailable("the recording archive is not available");
        }
        Principal p = Api.principal(ctx);
        Api.reply(ctx, archive.find(id).compose(found -> {
            RecordingArchive.ArchivedRecording rec = playable(id, found);
            Served.of(rec, WAV.equals(format));
            JsonObject detail = new JsonObject().put("call_id", rec.callId().toString()).put("format", format)
                    .put("ticket_expires_in", PlaybackTickets.TTL.toSeconds());
            return RestrictionRoutes.admit(ctx, api.privacy().restrictions().coveringCall(rec.callId()), purpose, reason)
                    .compose(legalClaims -> api.auditAllowed(ctx, "recording", id.toString(), reason,
                            legalClaims == null ? detail : detail.mergeIn(legalClaims)));
        }).map(v -> {
            String ticket = api.playbackTickets().issue(id, p.tokenId(), reason, format, purpose.orElse(null),
                    api.clock().instant());
            return new JsonObject().put("ticket", ticket)
                    .put("audio_url", AdminApi.BASE + "/recordings/" + id + "/audio?ticket=" + ticket)
                    .put("expires_in", PlaybackTickets.TTL.toSeconds());
        }));
    }

    private static String format(Optional<String> given, String where) {
        String format = given.orElse(STORED);
        if (!STORED.equals(format) && !WAV.equals(format)) {
            throw ApiError.badRequest(where + " 'format' must be 'stored' (what the archive holds, e.g. Ogg "
                    + "Opus) or 'wav' (16-bit PCM WAV, decoded on the fly)");
        }
        return format;
    }

    private static RecordingArchive.ArchivedRecording playable(UUID id, Optional<RecordingArchive.ArchivedRecording> found) {
        RecordingArchive.ArchivedRecording rec = found.orElseThrow(() -> ApiError.notFound("no archived recording with id " + id));
        if (!ArchiveState.fromWire(rec.state()).playable()) {
            throw ApiError.conflict("recording " + id + " is '" + rec.state() + "', not playable");
        }
        return rec;
    }

    /**
     * GET /recordings/{id}/audio: with a ticket (the way to play), or with the deprecated
     * {@code ?reason=} and the bearer token. A ticket alone authenticates (a capability URL, see
     * {@link PlaybackTickets}); beside a bearer token it must be that same session's or token's. Its
     * range requests write no audit row of their own: the ticket's, written when it was issued, is the
     * record of this listening; failures on the server's side are still audited.
     */
    private void audio(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "reason", "ticket", "format", "purpose");
        UUID id = Ids.parse("recording id", ctx.pathParam("id"));
        Optional<String> purpose = q.oneOf("purpose", List.of(RestrictionRoutes.LEGAL_CLAIMS));
        Optional<String> format = q.string("format");
        String checkedFormat = format(format, "query parameter");
        Optional<String> ticket = q.string("ticket");
        if (ticket.isPresent()) {
            PlaybackTickets.Ticket t = ctx.get(Api.TICKET);
            if (t == null) {
                // a bearer token and a ticket: both must be the same session's (or API token's)
                t = api.playbackTickets().find(ticket.get(), api.clock().instant())
                        .orElseThrow(() -> PlaybackTickets.invalid(403));
                if (!t.tokenId().equals(Api.principal(ctx).tokenId())) {
                    throw PlaybackTickets.mismatch("session or token than the bearer token sent with it");
                }
            }
            if (!t.recordingId().equals(id)) {
                throw PlaybackTickets.mismatch("recording");
            }
            if (format.isPresent() && !checkedFormat.equals(t.format())) {
                throw PlaybackTickets.mismatch("format ('" + t.format() + "')");
            }
            if (purpose.isPresent() && !purpose.get().equals(t.purpose())) {
                throw PlaybackTickets.mismatch("purpose");
            }
            serve(ctx, id, t.format(), Optional.ofNullable(t.purpose()), t.reason(), false);
            return;
        }
        // deprecated: the reason in the URL lands in proxy and access logs
        String reason = q.string("reason").map(String::trim).orElse("");
        if (reason.length() < 3) {
            throw ApiError.badRequest("a playback ticket is required: POST " + AdminApi.BASE + "/recordings/{id}/"
                    + "playback with the reason (3 characters or more, e.g. a ticket number), "
                    + "then GET this with ?ticket=…");
        }
        ctx.response().putHeader("deprecation", "true");
        serve(ctx, id, checkedFormat, purpose, reason, true);
    }

    /**
     * Serves the recording (or the requested range of it). The restriction is checked on every
     * request, ticket or not, so a restriction placed during a listening stops it; {@code auditEach}
     * writes this request's own "allowed" row (the deprecated form).
     */
    private void serve(RoutingContext ctx, UUID id, String format, Optional<String> purpose, String reason,
                       boolean auditEach) {
        RecordingArchive archive = api.archive();
        if (archive == null) {
            throw ApiError.unavailable("the recording archive is not available");
        }
        String rangeHeader = ctx.request().getHeader("range");
        archive.find(id).compose(found -> {
            RecordingArchive.ArchivedRecording rec = playable(id, found);
            Served served = Served.of(rec, WAV.equals(format));
            Optional<ByteRange> range;
            try {
                range = ByteRange.parse(rangeHeader, served.length());
            } catch (ApiError e) {
                ctx.response().putHeader("content-range", "bytes */" + served.length());
                throw e;
            }
            long offset = range.map(ByteRange::start).orElse(0L);
            long length = range.map(ByteRange::length).orElse(served.length());
            JsonObject detail = new JsonObject().put("call_id", rec.callId().toString()).put("format", format)
                    .put("range", range.map(ByteRange::contentRange).orElse("all " + served.length()));
            // the decoded form is made from the whole stored stream, from its start; the stored form is read
            // only where the range is
            long from = served.decoded() ? 0 : offset;
            long count = served.decoded() ? rec.plaintextBytes() : length;
            return RestrictionRoutes.admit(ctx, api.privacy().restrictions().coveringCall(rec.callId()), purpose, reason)
                    .compose(legalClaims -> {
                        if (auditEach) {
                            return api.auditAllowed(ctx, "recording", id.toString(), reason,
                                    legalClaims == null ? detail : detail.mergeIn(legalClaims));
                        }
                        // the ticket's row, written when it was issued, covers this request
                        ctx.put(Api.AUDITED, true);
                        return Future.<Void>succeededFuture();
                    })
                    .compose(v -> archive.open(id, from, count).recover(e -> {
                        api.auditMore(ctx, "recording", id.toString(), reason, "failed", detail.copy()
                                .put("cause", "open: " + e.getClass().getSimpleName()));
                        LOG.error("recording {} cannot be opened: {}", id, ExternalText.forLog(e.getMessage()));
                        return Future.failedFuture(ApiError.unavailable("the recording cannot be read"));
                    }))
                    .compose(stream -> served.decoded()
                            ? decode(ctx, rec, served, range, offset, length, stream, reason, detail)
                            : stream(ctx, rec, served, range, length, stream, reason, detail));
        }).onFailure(ctx::fail);
    }

    /**
     * What a request for a recording gets: the stored bytes, or a WAV decoded from them (Ogg Opus and
     * A-law; a recording stored as WAV is served as it is either way).
     */
    record Served(boolean decoded, String contentType, String extension, long length, EncodingParameters parameters,
                  long frames) {
        static Served of(RecordingArchive.ArchivedRecording rec, boolean wav) {
            if (rec.codec() == null) {
                if (wav && !RecordingRoutes.contentType(rec.format()).equals("audio/wav")) {
                    throw ApiError.badRequest("this recording is stored as Asterisk recorded it (" + rec.format()
                            + "); it can be served only as stored");
                }
                return new Served(false, RecordingRoutes.contentType(rec.format()), rec.format(), rec.plaintextBytes(), null, 0);
            }
            EncodingParameters parameters = EncodingParameters.parse(rec.codecParameters());
            Codec codec = parameters.codec();
            if (!wav || codec == Codec.WAV) {
                return new Served(false, codec.mediaType(), codec.fileExtension(), rec.plaintextBytes(), parameters, 0);
            }
            long frames = rec.sourceFrames();
            return new Served(true, "audio/wav", "wav", PlayableWav.length(parameters, frames), parameters, frames);
        }
    }

    private Future<Void> stream(RoutingContext ctx, RecordingArchive.ArchivedRecording rec, Served served,
                                Optional<ByteRange> range, long length, ReadStream<Buffer> stream, String reason,
                                JsonObject detail) {
        HttpServerResponse res = headers(ctx, rec, served, range, length);
        return stream.pipe().endOnFailure(false).to(res).recover(e -> {
            if (res.closed()) {
                // the client went away: a player that seeks drops the range it was reading; nothing failed here
                LOG.debug("recording {}: the client left before the end of the range", rec.id());
                return Future.succeededFuture();
            }
            // authentication failed mid-stream: never let a short body pass as whole
            LOG.warn("recording {}: stream ended early: {}", rec.id(), ExternalText.forLog(e.getMessage()));
            res.reset();
            api.auditMore(ctx, "recording", rec.id().toString(), reason, "failed",
                    detail.copy().put("cause", "stream: " + e.getClass().getSimpleName()));
            return Future.succeededFuture();
        });
    }

    /**
     * Decodes the stored stream into a WAV on a worker thread (never on the event loop) and sends
     * bytes [offset, offset+length) of it: a range is served by decoding from the start and
     * discarding what comes before it, so a later range costs more decoding, never more memory.
     */
    private Future<Void> decode(RoutingContext ctx, RecordingArchive.ArchivedRecording rec, Served served,
                                Optional<ByteRange> range, long offset, long length, ReadStream<Buffer> stream,
                                String reason, JsonObject detail) {
        Context context = Vertx.currentContext();
        ReadStreamInputStream stored = new ReadStreamInputStream(context, stream, STALL);
        HttpServerResponse res = headers(ctx, rec, served, range, length);
        BackPressuredOutputStream client = new BackPressuredOutputStream(context, res, STALL);
        return api.vertx().<Void>executeBlocking(() -> {
            try (OutputStream out = new RangeOutputStream(new BufferedOutputStream(client, 16 * 1024), offset, length)) {
                PlayableWav.write(stored, served.parameters(), served.frames(), out);
            } catch (RangeOutputStream.RangeComplete done) {
                // the range is sent; the rest need not be decoded
            }
            return null;
        }, false).compose(v -> res.end()).recover(e -> {
            if (res.closed()) {
                LOG.debug("recording {}: the client left before the end of the decoded range", rec.id());
                return Future.succeededFuture();
            }
            LOG.warn("recording {}: decoding for playback ended early: {}", rec.id(), ExternalText.forLog(e.getMessage()));
            res.reset();
            api.auditMore(ctx, "recording", rec.id().toString(), reason, "failed",
                    detail.copy().put("cause", "decode: " + e.getClass().getSimpleName()));
            return Future.succeededFuture();
        });
    }

    private static HttpServerResponse headers(RoutingContext ctx, RecordingArchive.ArchivedRecording rec,
                                              Served served, Optional<ByteRange> range, long length) {
        HttpServerResponse res = ctx.response();
        res.setStatusCode(range.isPresent() ? 206 : 200)
                .putHeader("content-type", served.contentType())
                .putHeader("content-length", String.valueOf(length))
                .putHeader("accept-ranges", "bytes")
                .putHeader("content-disposition", "inline; filename=\"" + rec.id() + "." + served.extension() + "\"");
        range.ifPresent(r -> res.putHeader("content-range", r.contentRange()));
        return res;
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
