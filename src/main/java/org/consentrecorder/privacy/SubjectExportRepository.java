package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * What a subject access export ({@link SubjectExport}) gathers besides the consent registry: the
 * subject's calls, their pause timelines, recordings, requests and the audit entries about any of
 * them. Read-only; it reads tables of the call flow and the archive, so the queries live here,
 * beside the export, until those features offer them.
 */
public final class SubjectExportRepository {
    private final Pool pool;

    public SubjectExportRepository(Pool pool) {
        this.pool = pool;
    }

    /** A call as stored (the durable call state). */
    public record Call(UUID id, String channelId, String channelName, String linkedId, String callerSubject,
                       String asteriskId, Instant startedAt, String phase, String outcome, UUID consentId,
                       String recordingName, String snoopId, String recordingState, boolean paused, Instant endedAt,
                       long stateSeq, Instant updatedAt) {
    }

    /** A pause or resume of a call's recording. */
    public record TimelineEntry(long id, UUID callId, String recordingName, String change, String triggerKind,
                                String triggerDetail, long offsetMs, Instant requestedAt, Instant acceptedAt,
                                String pauseStyle, Instant writtenAt) {
    }

    /** A recording's metadata; {@code sha256} of the plaintext in hex, null once it is gone. */
    public record Recording(UUID id, UUID callId, String name, UUID consentId, String format, String state,
                            Integer durationSeconds, Long durationMs, Long plaintextBytes, String sha256,
                            Instant finishedAt, Instant archivedAt, Instant removedAt, String codec,
                            String codecParameters, String sourceSha256, Long sourceBytes, Long sourceFrames) {
    }

    /** A data-subject request in brief. */
    public record Request(UUID id, String kind, Instant receivedAt, Instant dueAt, String status, Instant completedAt) {
    }

    /** An audit entry without the operator's identity and address (their own personal data). */
    public record AuditRecord(long seq, Instant at, String actorKind, String action, String targetType,
                              String targetId, String reason, String outcome, String detail) {
    }

    /** The calls the subject made, oldest first. */
    public Future<List<Call>> calls(String subject) {
        return pool.preparedQuery("select id, channel_id, channel_name, linked_id, caller_subject, asterisk_id, "
                        + "started_at, phase, outcome, consent_id, recording_name, snoop_id, recording_state, paused, "
                        + "ended_at, state_seq, updated_at from call where caller_subject = $1 order by started_at, id")
                .execute(Tuple.of(subject))
                .map(rows -> {
                    List<Call> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Call(r.getUUID("id"), r.getString("channel_id"), r.getString("channel_name"),
                                r.getString("linked_id"), r.getString("caller_subject"), r.getString("asterisk_id"),
                                instant(r, "started_at"), r.getString("phase"), r.getString("outcome"),
                                r.getUUID("consent_id"), r.getString("recording_name"), r.getString("snoop_id"),
                                r.getString("recording_state"), r.getBoolean("paused"), instant(r, "ended_at"),
                                r.getLong("state_seq"), instant(r, "updated_at")));
                    }
                    return out;
                });
    }

    /** The pause timelines of the calls, in the order they were written. */
    public Future<List<TimelineEntry>> timeline(Collection<UUID> calls) {
        return pool.preparedQuery("select id, call_id, recording_name, change, trigger_kind, trigger_detail, offset_ms, "
                        + "requested_at, accepted_at, pause_style, written_at from recording_timeline "
                        + "where call_id = any($1) order by id")
                .execute(Tuple.of((Object) calls.toArray(new UUID[0])))
                .map(rows -> {
                    List<TimelineEntry> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new TimelineEntry(r.getLong("id"), r.getUUID("call_id"), r.getString("recording_name"),
                                r.getString("change"), r.getString("trigger_kind"), r.getString("trigger_detail"),
                                r.getLong("offset_ms"), instant(r, "requested_at"), instant(r, "accepted_at"),
                                r.getString("pause_style"), instant(r, "written_at")));
                    }
                    return out;
                });
    }

    /** The subject's recordings, oldest first. */
    public Future<List<Recording>> recordings(String subject) {
        return pool.preparedQuery("select id, call_id, name, consent_id, format, state, duration_seconds, duration_ms, "
                        + "plaintext_bytes, plaintext_sha256, finished_at, archived_at, removed_at, codec, codec_parameters, "
                        + "source_sha256, source_bytes, source_frames from recording "
                        + "where subject = $1 order by finished_at, id")
                .execute(Tuple.of(subject))
                .map(rows -> {
                    List<Recording> out = new ArrayList<>();
                    for (Row r : rows) {
                        Buffer sha = r.getBuffer("plaintext_sha256");
                        Buffer sourceSha = r.getBuffer("source_sha256");
                        out.add(new Recording(r.getUUID("id"), r.getUUID("call_id"), r.getString("name"),
                                r.getUUID("consent_id"), r.getString("format"), r.getString("state"),
                                r.getInteger("duration_seconds"), r.getLong("duration_ms"), r.getLong("plaintext_bytes"),
                                sha == null ? null : HexFormat.of().formatHex(sha.getBytes()), instant(r, "finished_at"),
                                instant(r, "archived_at"), instant(r, "removed_at"), r.getString("codec"),
                                r.getString("codec_parameters"),
                                sourceSha == null ? null : HexFormat.of().formatHex(sourceSha.getBytes()),
                                r.getLong("source_bytes"), r.getLong("source_frames")));
                    }
                    return out;
                });
    }

    /** The subject's requests, oldest first. */
    public Future<List<Request>> requests(String subject) {
        return pool.preparedQuery("select id, kind, received_at, due_at, status, completed_at from privacy_request "
                        + "where subject = $1 order by received_at, id")
                .execute(Tuple.of(subject))
                .map(rows -> {
                    List<Request> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Request(r.getUUID("id"), r.getString("kind"), instant(r, "received_at"),
                                instant(r, "due_at"), r.getString("status"), instant(r, "completed_at")));
                    }
                    return out;
                });
    }

    /** Audit entries whose target is one of {@code targets}, in chain order. */
    public Future<List<AuditRecord>> auditEntries(Collection<String> targets) {
        // the reason is free text beside the chain (audit_text, V28): absent once an erasure cleared it
        return pool.preparedQuery("select a.seq, a.at, a.actor_kind, a.action, a.target_type, a.target_id, "
                        + "t.body::jsonb ->> 'reason' as reason, a.outcome, a.detail from audit_log a "
                        + "left join audit_text t on t.seq = a.seq where a.target_id = any($1) order by a.seq")
                .execute(Tuple.of((Object) targets.toArray(new String[0])))
                .map(rows -> {
                    List<AuditRecord> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new AuditRecord(r.getLong("seq"), instant(r, "at"), r.getString("actor_kind"),
                                r.getString("action"), r.getString("target_type"), r.getString("target_id"),
                                r.getString("reason"), r.getString("outcome"), r.getString("detail")));
                    }
                    return out;
                });
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
