package org.consentrecorder.call;

import org.consentrecorder.store.Fence;
import org.consentrecorder.store.ServerLease;
import org.consentrecorder.store.Sql;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * PostgreSQL access for the call flow: consent evidence, the caller's preference, the durable
 * call state and the pause timeline. Every write is idempotent so a retry never duplicates.
 */
public final class CallRepository {
    private final Pool pool;
    private final Function<String, String> suppressionDigest;
    private final Fence fence;
    private final String server;

    /**
     * The calls of the one Asterisk server named {@value org.consentrecorder.ari.AriServer#DEFAULT_NAME}, without a lease.
     *
     * @param suppressionDigest the keyed hash of a subject in the suppression list (the subject key store's
     *                          {@code suppressionDigest}); its key is never in the database
     */
    public CallRepository(Pool pool, Function<String, String> suppressionDigest) {
        this(pool, suppressionDigest, org.consentrecorder.ari.AriServer.DEFAULT_NAME, Fence.NONE);
    }

    /**
     * The calls of Asterisk server {@code server}: the rows it writes carry the name, and {@link #activeCalls()} reads
     * only that server's. Every write about a live call (its state, timeline, decision, end) carries {@code fence}
     * ({@link Fence#NONE} without a lease, else the lease of the same server): the database refuses it with
     * {@link org.consentrecorder.store.StaleLeaseException} once another instance has taken the server over.
     */
    public CallRepository(Pool pool, Function<String, String> suppressionDigest, String server, Fence fence) {
        if (fence.fenced() && !fence.server().equals(server)) {
            throw new IllegalArgumentException("the fence of server " + fence.server() + " for the calls of " + server);
        }
        this.pool = pool;
        this.suppressionDigest = suppressionDigest;
        this.fence = fence;
        this.server = server;
    }

    /** The Asterisk server whose calls these are. */
    public String server() {
        return server;
    }

    /** A write of the call flow: as it is without a lease, checked against the lease in its transaction with one. */
    private <T> Future<T> write(java.util.function.Function<SqlClient, Future<T>> statement) {
        return fence.fenced() ? ServerLease.fenced(pool, fence, statement::apply) : statement.apply(pool);
    }

    /** Stores the words of every configured notice version (once each). */
    public Future<Void> registerNotices(List<NoticeSet> sets) {
        List<Tuple> batch = new ArrayList<>();
        for (NoticeSet s : sets) {
            batch.add(Tuple.of(s.version(), s.id(), s.language(), s.informedText(),
                    s.informedUris().toArray(new String[0])));
            // the "not recorded" notice is its own version of the words a caller hears
            batch.add(Tuple.of(s.notRecordedVersion(), s.id(), s.language(), s.notRecorded().text(),
                    new String[] {s.notRecorded().uri()}));
        }
        return pool.preparedQuery("insert into notice_version (version, notice_set, language, notice_text, sound_uris) "
                        + "values ($1, $2, $3, $4, $5) on conflict (version) do nothing")
                .executeBatch(batch).mapEmpty();
    }

    /**
     * True when the subject's current preference is "do not record", or when the keyed hash of their
     * number is on the suppression list (a caller who had objected or withdrawn and was then erased:
     * the number is gone, the refusal stays).
     */
    public Future<Boolean> doNotRecord(String subject) {
        String digest;
        try {
            digest = suppressionDigest.apply(subject);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return pool.preparedQuery("select exists (select 1 from subject_preference where subject = $1 "
                        + "and preference = 'do_not_record') or exists (select 1 from caller_suppression "
                        + "where digest = $2)")
                .execute(Tuple.of(subject, digest))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** Appends the decision; a withdrawal or a grant also changes the caller's current preference. */
    public Future<Void> recordDecision(ConsentEvidence e) {
        return recordDecision(e, () -> true);
    }

    /**
     * As {@link #recordDecision(ConsentEvidence)}, but rolls back instead of committing when
     * {@code stillWanted} says no by the time the rows are written: a database that answers after
     * the call went on without its evidence must not end up holding evidence the call never used.
     */
    public Future<Void> recordDecision(ConsentEvidence e, java.util.function.BooleanSupplier stillWanted) {
        return ServerLease.fenced(pool, fence, tx -> insertDecision(tx, e).compose(inserted -> {
            if (!inserted || e.callerSubject() == null) {
                return Future.succeededFuture();
            }
            if (e.outcome() == Outcome.WITHDRAWN) {
                return setPreference(tx, e.callerSubject(), "do_not_record", e.id(), "call", e.decidedBy(), e.decidedAt());
            }
            if (e.outcome() == Outcome.GRANTED) {
                // the caller allowed recording again of their own accord: that lifts an earlier suppression too
                return setPreference(tx, e.callerSubject(), "granted", e.id(), "call", e.decidedBy(), e.decidedAt())
                        .compose(v -> tx.preparedQuery("delete from caller_suppression where digest = $1")
                                .execute(Tuple.of(suppressionDigest.apply(e.callerSubject()))).mapEmpty());
            }
            return Future.<Void>succeededFuture();
        }).compose(v -> stillWanted.getAsBoolean() ? Future.<Void>succeededFuture()
                : Future.<Void>failedFuture(new IllegalStateException("past its deadline: rolled back"))));
    }

    private Future<Boolean> insertDecision(SqlClient tx, ConsentEvidence e) {
        List<Object> values = Arrays.asList(
                e.id(), e.callId(), e.supersedes(), e.channelId(), e.linkedId(),
                e.callerNumber(), e.callerName(), e.callerSubject(), e.dialledNumber(),
                Sql.ts(e.noticeStartedAt()), e.noticeCompleted(), Sql.ts(e.decidedAt()),
                e.noticeSetId(), e.language(), e.noticeVersion(), e.soundUris().toArray(new String[0]),
                e.keysPressed(), e.attempts(), e.outcome().wire(), e.lawfulBasis().wire(),
                e.asteriskId(), e.decidedBy());
        return tx.preparedQuery("insert into consent_decision (id, call_id, supersedes, channel_id, linked_id, "
                        + "caller_number, caller_name, caller_subject, dialled_number, notice_started_at, "
                        + "notice_completed, decided_at, notice_set, language, notice_version, sound_uris, "
                        + "keys_pressed, attempts, outcome, lawful_basis, asterisk_id, decided_by) values "
                        + "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22) "
                        + "on conflict (id) do nothing")
                .execute(Tuple.wrap(values))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * Records "do not record" for the subject on the caller's behalf (e.g. a withdrawal by email),
     * effective from the next call. There is deliberately no counterpart for "granted": only the
     * caller re-grants, in a later call. Completes with false when "do not record" was already on file.
     */
    public static Future<Boolean> withdrawOnRequest(SqlClient tx, String subject, String changedBy, java.time.Instant at) {
        return tx.preparedQuery("select preference from subject_preference where subject = $1 for update")
                .execute(Tuple.of(subject))
                .compose(rows -> {
                    if (rows.size() > 0 && "do_not_record".equals(rows.iterator().next().getString(0))) {
                        return Future.succeededFuture(false);
                    }
                    return setPreference(tx, subject, "do_not_record", null, "api", changedBy, at).map(true);
                });
    }

    static Future<Void> setPreference(SqlClient tx, String subject, String preference, UUID decisionId,
                                      String source, String changedBy, java.time.Instant at) {
        return tx.preparedQuery("insert into subject_preference (subject, preference, decision_id, source, changed_by, updated_at) "
                        + "values ($1, $2, $3, $4, $5, $6) on conflict (subject) do update set preference = excluded.preference, "
                        + "decision_id = excluded.decision_id, source = excluded.source, changed_by = excluded.changed_by, "
                        + "updated_at = excluded.updated_at")
                .execute(Tuple.of(subject, preference, decisionId, source, changedBy, Sql.ts(at)))
                .compose(r -> tx.preparedQuery("insert into subject_preference_history "
                                + "(subject, preference, decision_id, source, changed_by, changed_at) values ($1, $2, $3, $4, $5, $6)")
                        .execute(Tuple.of(subject, preference, decisionId, source, changedBy, Sql.ts(at))))
                .mapEmpty();
    }

    /**
     * Upserts the call's state: the columns operators and the other features query, and the whole
     * core state as JSON (see {@link CallStateCodec}); seq orders concurrent writes so an older
     * snapshot never wins.
     */
    public Future<Void> saveState(CallStateSnapshot s, long seq) {
        CallState st = s.state();
        CallFacts f = st.facts();
        List<Object> values = Arrays.asList(
                s.callId(), f.channel().id(), f.channel().name(), f.channel().linkedId(), f.subject(), f.asteriskId(),
                Sql.ts(f.startedAt()), s.phase().wire(), s.outcome() == null ? null : s.outcome().wire(), s.consentId(),
                s.recordingName(), s.snoopId(), s.recordingState(), s.paused(), Sql.ts(s.endedAt()), seq,
                CallStateCodec.encode(st), server);
        return write(sql -> sql.preparedQuery("insert into call (id, channel_id, channel_name, linked_id, caller_subject, asterisk_id, "
                        + "started_at, phase, outcome, consent_id, recording_name, snoop_id, recording_state, paused, "
                        + "ended_at, state_seq, core_state, server) "
                        + "values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) "
                        + "on conflict (id) do update set phase = excluded.phase, outcome = excluded.outcome, "
                        + "consent_id = excluded.consent_id, recording_name = excluded.recording_name, "
                        + "snoop_id = excluded.snoop_id, recording_state = excluded.recording_state, "
                        + "paused = excluded.paused, ended_at = excluded.ended_at, state_seq = excluded.state_seq, "
                        + "core_state = excluded.core_state, "
                        + "updated_at = clock_timestamp() where call.state_seq < excluded.state_seq")
                .execute(Tuple.wrap(values))
                .mapEmpty());
    }

    public Future<Void> appendTimeline(UUID callId, TimelineEntry t) {
        List<Object> values = Arrays.asList(callId, t.recordingName(), t.change().wire(),
                t.trigger() == null ? null : t.trigger().wire(), t.triggerDetail(), t.offsetMs(),
                Sql.ts(t.requestedAt()), Sql.ts(t.acceptedAt()), t.style().wire(), server);
        return write(sql -> sql.preparedQuery("insert into recording_timeline (call_id, recording_name, change, "
                        + "trigger_kind, trigger_detail, offset_ms, requested_at, accepted_at, pause_style, server) "
                        + "values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
                .execute(Tuple.wrap(values))
                .mapEmpty());
    }

    /**
     * This server's calls not ended, as last written: what a restarted application may take over. Another server's
     * calls are not in it: that server's channels are not in this server's list, and they must not be closed as
     * ended unseen (channel ids may even be equal on two servers).
     */
    public Future<List<ActiveCall>> activeCalls() {
        return pool.preparedQuery("select id, channel_id, channel_name, linked_id, asterisk_id, started_at, outcome, "
                        + "consent_id, recording_name, snoop_id, recording_state, paused, phase, caller_subject, "
                        + "state_seq, core_state from call where ended_at is null and server = $1")
                .execute(Tuple.of(server))
                .map(rows -> {
                    List<ActiveCall> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new ActiveCall(r.getUUID("id"), r.getString("channel_id"), r.getString("channel_name"),
                                r.getString("linked_id"), r.getString("asterisk_id"), Sql.instant(r.getOffsetDateTime("started_at")),
                                Optional.ofNullable(r.getString("outcome")).map(Outcome::fromWire).orElse(null),
                                r.getUUID("consent_id"), r.getString("recording_name"), r.getString("snoop_id"),
                                r.getString("recording_state"), r.getBoolean("paused"), r.getString("phase"),
                                r.getString("caller_subject"), r.getLong("state_seq"),
                                (io.vertx.core.json.JsonObject) r.getValue("core_state")));
                    }
                    return out;
                });
    }

    /** Marks a call ended when its channel is gone and nobody saw it end (missed events, restart). */
    public Future<Void> markEnded(UUID callId, String phase, java.time.Instant at) {
        return write(sql -> sql.preparedQuery("update call set ended_at = $2, phase = $3, state_seq = state_seq + 1, "
                        + "updated_at = clock_timestamp() where id = $1 and ended_at is null")
                .execute(Tuple.of(callId, Sql.ts(at), phase))
                .mapEmpty());
    }

    /** A stored decision, as written. */
    public Future<Optional<ConsentEvidence>> decision(UUID id) {
        return pool.preparedQuery("select d.*, v.notice_text from consent_decision d "
                        + "join notice_version v on v.version = d.notice_version where d.id = $1")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<ConsentEvidence>empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new ConsentEvidence(r.getUUID("id"), r.getUUID("call_id"), r.getUUID("supersedes"),
                            r.getString("channel_id"), r.getString("linked_id"), r.getString("caller_number"),
                            r.getString("caller_name"), r.getString("caller_subject"), r.getString("dialled_number"),
                            Sql.instant(r.getOffsetDateTime("notice_started_at")), r.getBoolean("notice_completed"),
                            Sql.instant(r.getOffsetDateTime("decided_at")), r.getString("notice_set"),
                            r.getString("language"), r.getString("notice_version"), r.getString("notice_text"),
                            List.of(r.getArrayOfStrings("sound_uris")), r.getString("keys_pressed"),
                            r.getInteger("attempts"), Outcome.fromWire(r.getString("outcome")),
                            org.consentrecorder.call.LawfulBasis.valueOf(r.getString("lawful_basis").toUpperCase()),
                            r.getString("asterisk_id"), r.getString("decided_by")));
                });
    }

    /**
     * When a recording started, how much its pauses cut out of the file and how it is paused now,
     * from its timeline: what a restarted application needs to keep offsets true for a recording
     * it takes over. Only SKIP pauses cut; a SILENCE pause stays in the file as silence.
     */
    public Future<RecordingClock> recordingClock(UUID callId) {
        return pool.preparedQuery("select change, accepted_at, pause_style from recording_timeline where call_id = $1 "
                        + "and accepted_at is not null order by id")
                .execute(Tuple.of(callId))
                .map(rows -> {
                    java.time.Instant started = null;
                    java.time.Instant pausedSince = null;
                    PauseStyle pausedStyle = null;
                    long cutMillis = 0;
                    for (Row r : rows) {
                        java.time.Instant at = Sql.instant(r.getOffsetDateTime("accepted_at"));
                        switch (r.getString("change")) {
                            case "started" -> started = at;
                            case "paused" -> {
                                pausedSince = at;
                                pausedStyle = PauseStyle.valueOf(r.getString("pause_style").toUpperCase(java.util.Locale.ROOT));
                            }
                            case "resumed" -> {
                                if (pausedSince != null && pausedStyle == PauseStyle.SKIP) {
                                    cutMillis += java.time.Duration.between(pausedSince, at).toMillis();
                                }
                                pausedSince = null;
                                pausedStyle = null;
                            }
                            default -> {
                            }
                        }
                    }
                    return new RecordingClock(started, cutMillis, pausedSince, pausedStyle);
                });
    }

    /** See {@link #recordingClock(UUID)}; pausedStyle is null when the timeline says it is not paused. */
    public record RecordingClock(java.time.Instant startedAt, long cutMillis, java.time.Instant pausedSince,
                                 PauseStyle pausedStyle) {
    }

    /**
     * A row of the call table for a call that has not ended. coreState is the saved {@link CallState}
     * (see {@link CallStateCodec}), or null for a row written by a version without it.
     */
    public record ActiveCall(UUID callId, String channelId, String channelName, String linkedId, String asteriskId,
                             java.time.Instant startedAt, Outcome outcome, UUID consentId, String recordingName,
                             String snoopId, String recordingState, boolean paused, String phase, String callerSubject,
                             long stateSeq, io.vertx.core.json.JsonObject coreState) {

        @Override
        public String toString() {
            return "ActiveCall[" + callId + ", " + phase + "]";
        }
    }
}
