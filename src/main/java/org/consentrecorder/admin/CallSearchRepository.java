package org.consentrecorder.admin;

import org.consentrecorder.archive.ArchiveState;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.privacy.RestrictionRepository;

/**
 * The operators' view of calls: search and detail. It reads tables the call flow and the archive
 * write ({@code call}, {@code recording}, {@code recording_timeline}); the queries live here, beside
 * the routes that need them, because the call and archive repositories serve their own features.
 */
public final class CallSearchRepository {
    private final Pool pool;

    public CallSearchRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Search filters; null means "any". {@code after} continues a page (newest first); {@code server} is an Asterisk
     * server's name.
     */
    public record Filter(Instant from, Instant to, String subject, String outcome, Boolean hasRecording, Cursor after,
                         String server) {
    }

    /** A call in a search result, with its recording's id and archive state when it has one. */
    public record CallSummary(UUID id, Instant startedAt, Instant endedAt, String caller, String outcome, String phase,
                              String recordingState, boolean paused, UUID consentId, UUID recordingId,
                              String recordingArchiveState, boolean restricted, String server) {
    }

    /** A call as the detail view shows it (the durable call state, without internal ids). */
    public record CallDetail(UUID id, String channelId, String channelName, String linkedId, String caller,
                             String asteriskId, Instant startedAt, Instant endedAt, String phase, String outcome,
                             UUID consentId, String recordingName, String recordingState, boolean paused,
                             Instant updatedAt, boolean restricted, String server) {
    }

    /** One pause or resume of the call's recording. */
    public record TimelineEntry(long id, String recordingName, String change, String triggerKind, String triggerDetail,
                                long offsetMs, Instant requestedAt, Instant acceptedAt, String pauseStyle,
                                Instant writtenAt) {
    }

    /** Up to {@code limit} calls, newest first. A call "has a recording" when its recording is verified or archived. */
    public Future<List<CallSummary>> search(Filter f, int limit) {
        List<Object> params = Arrays.asList(ts(f.from()), ts(f.to()), f.subject(), f.outcome(), f.hasRecording(),
                f.after() == null ? null : f.after().time(), f.after() == null ? null : f.after().id(), limit,
                f.server());
        return pool.preparedQuery("select c.id, c.started_at, c.ended_at, c.caller_subject as caller, "
                        + "c.outcome, c.phase, c.recording_state, c.paused, c.consent_id, c.server, "
                        + "r.id as recording_id, r.state as recording_archive_state, "
                        + RestrictionRepository.restricted("c.id", "c.caller_subject") + " as restricted "
                        + "from call c left join recording r on r.call_id = c.id "
                        + "where ($1::timestamptz is null or c.started_at >= $1) "
                        + "and ($2::timestamptz is null or c.started_at < $2) "
                        + "and ($3::text is null or c.caller_subject = $3) "
                        + "and ($4::text is null or c.outcome = $4) "
                        + "and ($5::boolean is null or (coalesce(r.state in " + ArchiveState.PLAYABLE_SQL + ", false) = $5)) "
                        + "and ($6::timestamptz is null or (c.started_at, c.id) < ($6, $7::uuid)) "
                        + "and ($9::text is null or c.server = $9) "
                        + "order by c.started_at desc, c.id desc limit $8")
                .execute(Tuple.wrap(params))
                .map(rows -> {
                    List<CallSummary> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new CallSummary(r.getUUID("id"), instant(r, "started_at"), instant(r, "ended_at"),
                                r.getString("caller"), r.getString("outcome"), r.getString("phase"),
                                r.getString("recording_state"), r.getBoolean("paused"), r.getUUID("consent_id"),
                                r.getUUID("recording_id"), r.getString("recording_archive_state"),
                                r.getBoolean("restricted"), r.getString("server")));
                    }
                    return out;
                });
    }

    public Future<Optional<CallDetail>> find(UUID id) {
        return pool.preparedQuery("select id, channel_id, channel_name, linked_id, caller_subject as caller, "
                        + "asterisk_id, started_at, ended_at, phase, outcome, consent_id, recording_name, "
                        + "recording_state, paused, updated_at, server, "
                        + RestrictionRepository.restricted("call.id", "call.caller_subject") + " as restricted "
                        + "from call where id = $1")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<CallDetail>empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new CallDetail(r.getUUID("id"), r.getString("channel_id"),
                            r.getString("channel_name"), r.getString("linked_id"), r.getString("caller"),
                            r.getString("asterisk_id"), instant(r, "started_at"), instant(r, "ended_at"),
                            r.getString("phase"), r.getString("outcome"), r.getUUID("consent_id"),
                            r.getString("recording_name"), r.getString("recording_state"), r.getBoolean("paused"),
                            instant(r, "updated_at"), r.getBoolean("restricted"), r.getString("server")));
                });
    }

    /** The call's pause timeline in the order it was written. */
    public Future<List<TimelineEntry>> timeline(UUID callId) {
        return pool.preparedQuery("select id, recording_name, change, trigger_kind, trigger_detail, offset_ms, "
                        + "requested_at, accepted_at, pause_style, written_at from recording_timeline "
                        + "where call_id = $1 order by id")
                .execute(Tuple.of(callId))
                .map(rows -> {
                    List<TimelineEntry> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new TimelineEntry(r.getLong("id"), r.getString("recording_name"), r.getString("change"),
                                r.getString("trigger_kind"), r.getString("trigger_detail"), r.getLong("offset_ms"),
                                instant(r, "requested_at"), instant(r, "accepted_at"), r.getString("pause_style"),
                                instant(r, "written_at")));
                    }
                    return out;
                });
    }

    static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
