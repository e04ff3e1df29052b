package org.consentrecorder.privacy;

import org.consentrecorder.archive.ArchiveState;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.consentrecorder.store.Sql;
import org.consentrecorder.store.Tx;

/**
 * The statements of an erasure ({@link Erasure}), each inside the erasure's one transaction: find
 * what is held, then replace the subject's identifiers by the erasure token table by table, turn
 * recordings into tombstones without key material and delete their ciphertext. Every statement is
 * idempotent, so a run that did not finish can simply be run again.
 */
public final class ErasureRepository {
    /** Recording states whose audio still exists somewhere (on Asterisk or as ciphertext here). */
    static final String LIVE_AUDIO_STATES = ArchiveState.sqlList(java.util.EnumSet.of(
            ArchiveState.FINISHED, ArchiveState.STORED, ArchiveState.VERIFIED, ArchiveState.ARCHIVED));

    /** An active hold on everything about the subject (it blocks the whole erasure). */
    public record SubjectHold(UUID id, String reason, Instant placedAt, String placedBy) {
    }

    /** An active hold on one of the subject's calls (that call is left alone). */
    public record CallHold(UUID callId, UUID id, String reason) {
    }

    /**
     * A recording about to be erased: its name on Asterisk, its archive state, the server its file is on, and
     * outName: the second leg of a stereo recording on Asterisk (on the same server), null for mono.
     */
    public record RecordingRef(UUID id, String name, String state, String server, String outName) {
    }

    public Future<List<SubjectHold>> activeSubjectHolds(Tx tx, String subject) {
        return tx.connection().preparedQuery("select id, reason, placed_at, placed_by from legal_hold "
                        + "where released_at is null and scope = 'subject' and subject = $1")
                .execute(Tuple.of(subject))
                .map(rows -> {
                    List<SubjectHold> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new SubjectHold(r.getUUID("id"), r.getString("reason"),
                                r.getOffsetDateTime("placed_at").toInstant(), r.getString("placed_by")));
                    }
                    return out;
                });
    }

    /** Every call the subject is in: as the caller, in a decision, or as a recording's subject. */
    public Future<List<UUID>> callsOf(Tx tx, String subject) {
        return tx.connection().preparedQuery("select id from call where caller_subject = $1 "
                        + "union select call_id from consent_decision where caller_subject = $1 "
                        + "union select call_id from recording where subject = $1")
                .execute(Tuple.of(subject))
                .map(rows -> {
                    List<UUID> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID(0)));
                    return out;
                });
    }

    public Future<List<CallHold>> activeCallHolds(Tx tx, List<UUID> calls) {
        return tx.connection().preparedQuery("select call_id, id, reason from legal_hold where released_at is null "
                        + "and scope = 'call' and call_id = any($1)")
                .execute(Tuple.of(uuids(calls)))
                .map(rows -> {
                    List<CallHold> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new CallHold(r.getUUID("call_id"), r.getUUID("id"), r.getString("reason")));
                    }
                    return out;
                });
    }

    /** The subject's recordings outside held calls, locked until the transaction ends. */
    public Future<List<RecordingRef>> lockRecordings(Tx tx, String subject, List<UUID> heldCalls) {
        return tx.connection().preparedQuery("select id, name, state, server, out_name from recording where subject = $1 "
                        + "and not (call_id = any($2)) for update")
                .execute(Tuple.of(subject, uuids(heldCalls)))
                .map(rows -> {
                    List<RecordingRef> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new RecordingRef(r.getUUID("id"), r.getString("name"), r.getString("state"),
                                r.getString("server"), r.getString("out_name")));
                    }
                    return out;
                });
    }

    /** Deletes the recordings' ciphertext; the number of chunk rows deleted. */
    public Future<Integer> deleteCiphertext(Tx tx, List<UUID> recordings) {
        return tx.connection().preparedQuery("delete from recording_chunk where recording_id = any($1)")
                .execute(Tuple.of(uuids(recordings)))
                .map(r -> r.rowCount());
    }

    /**
     * Recordings become tombstones: state 'erased' where audio existed, the subject replaced by the
     * token, no header, no wrapped key, never retried.
     */
    public Future<Integer> tombstoneRecordings(Tx tx, List<UUID> recordings, String token, String why, Instant now) {
        return tx.connection().preparedQuery("update recording set state = case when state in " + LIVE_AUDIO_STATES
                        + " then 'erased' else state end, subject = $2, "
                        + "header = null, wrapped_data_key = null, subject_key_id = null, "
                        + "plaintext_sha256 = null, source_sha256 = null, last_error = $3, next_attempt_at = 'infinity', "
                        + "removed_at = coalesce(removed_at, $4), updated_at = clock_timestamp() "
                        + "where id = any($1)")
                .execute(Tuple.of(uuids(recordings), token, why, Sql.ts(now)))
                .map(r -> r.rowCount());
    }

    /**
     * Consent evidence keeps the decision (outcome, time, notice, basis) without who; held calls are left
     * alone. Through the owner's function (V26): the application's role may not update evidence itself.
     */
    public Future<Integer> redactDecisions(Tx tx, String subject, List<UUID> calls, String token, Instant now,
                                           List<UUID> heldCalls) {
        return tx.connection().preparedQuery("select redact_consent_decisions_for_erasure($1, $2, $3, $4, $5)")
                .execute(Tuple.of(subject, uuids(calls), token, Sql.ts(now), uuids(heldCalls)))
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    public Future<Integer> redactCalls(Tx tx, String subject, String token, List<UUID> heldCalls) {
        return tx.connection().preparedQuery("update call set caller_subject = $2, channel_id = $2, channel_name = null, "
                        + "linked_id = null, updated_at = clock_timestamp() "
                        + "where caller_subject = $1 and not (id = any($3))")
                .execute(Tuple.of(subject, token, uuids(heldCalls)))
                .map(r -> r.rowCount());
    }

    /**
     * Puts the subject's keyed hash on the suppression list when they refused recording: their current
     * preference is "do not record", or their latest decision was a withdrawal or an objection. Run
     * before the preference and the decisions are redacted. Completes with the reason, or null when
     * nothing refused recording.
     */
    public Future<String> suppressIfRefused(Tx tx, String subject, String digest, UUID requestId, Instant at) {
        return tx.connection().preparedQuery("select (select preference from subject_preference where subject = $1) "
                        + "as preference, (select outcome from consent_decision where caller_subject = $1 "
                        + "order by decided_at desc, id desc limit 1) as latest")
                .execute(Tuple.of(subject))
                .compose(rows -> {
                    Row r = rows.iterator().next();
                    String reason = suppressionReason(r.getString("preference"), r.getString("latest"));
                    if (reason == null) {
                        return Future.succeededFuture(null);
                    }
                    return tx.connection().preparedQuery("insert into caller_suppression (digest, reason, request_id, "
                                    + "created_at) values ($1, $2, $3, $4) on conflict (digest) do nothing")
                            .execute(Tuple.of(digest, reason, requestId, Sql.ts(at)))
                            .map(reason);
                });
    }

    static String suppressionReason(String preference, String latestOutcome) {
        if ("do_not_record".equals(preference)) {
            return "do_not_record";
        }
        if ("withdrawn".equals(latestOutcome) || "opted_out".equals(latestOutcome)) {
            return latestOutcome;
        }
        return null;
    }

    public Future<Integer> redactPreference(Tx tx, String subject, String token) {
        return replaceSubject(tx, "update subject_preference set subject = $2 where subject = $1", subject, token);
    }

    public Future<Integer> redactPreferenceHistory(Tx tx, String subject, String token) {
        return replaceSubject(tx, "update subject_preference_history set subject = $2 where subject = $1", subject,
                token);
    }

    /** The subject's other requests (this one keeps the number until the erasure is complete). */
    public Future<Integer> redactOtherRequests(Tx tx, String subject, String token, UUID requestId) {
        return tx.connection().preparedQuery("update privacy_request set subject = $2 where subject = $1 and id <> $3")
                .execute(Tuple.of(subject, token, requestId))
                .map(r -> r.rowCount());
    }

    /** Released holds only: an active hold on the subject blocks the erasure before it gets here. */
    public Future<Integer> redactReleasedHolds(Tx tx, String subject, String token) {
        return replaceSubject(tx, "update legal_hold set subject = $2 where subject = $1 and released_at is not null",
                subject, token);
    }

    /**
     * Restrictions on the subject (Art. 18) keep applying to what is left, under the token: erasure
     * and restriction do not exclude each other, and the restriction's history stays.
     */
    public Future<Integer> redactRestrictions(Tx tx, String subject, String token) {
        return replaceSubject(tx, "update restriction set subject = $2 where subject = $1", subject, token);
    }

    /**
     * Corrections and supplementary statements about the subject or their erased calls (Art. 16): they
     * describe the caller, so they go with the rest; those on held calls stay with the held call.
     */
    public Future<Integer> deleteCorrections(Tx tx, String subject, List<UUID> calls, List<UUID> heldCalls) {
        return tx.connection().preparedQuery("delete from correction where subject = $1 "
                        + "or (call_id = any($2) and not (call_id = any($3)))")
                .execute(Tuple.of(subject, uuids(calls), uuids(heldCalls)))
                .map(r -> r.rowCount());
    }

    /**
     * Clears the free text of the audit rows about the subject (V28 {@code audit_text}): rows that name the subject's
     * pseudonym, and rows about the subject's calls and recordings (a playback reason may describe the caller),
     * except those under legal hold (with a call under hold, the pseudonym stays linked and so do the texts that
     * name it, until the request runs again after the release). The chained rows keep who, when, what and which record; their commitment to the
     * text stays and the chain still verifies. Call it before {@link #unlinkPseudonym}: it finds the rows through it.
     */
    public Future<Integer> clearAuditTexts(Tx tx, String subject, List<UUID> calls, List<UUID> recordings,
                                           List<UUID> heldCalls, UUID requestId, Instant now) {
        List<String> targets = new java.util.ArrayList<>();
        calls.stream().filter(c -> !heldCalls.contains(c)).forEach(c -> targets.add(c.toString()));
        recordings.forEach(r -> targets.add(r.toString()));
        return tx.connection().preparedQuery("update audit_text t set body = null, nonce = null, erased_at = $3, "
                        + "erased_for = $4 from audit_log a where a.seq = t.seq and t.body is not null and ("
                        + "($5 and t.subject = (select pseudonym from subject_pseudonym where subject = $1)) "
                        + "or (a.target_type in ('call', 'recording') and a.target_id = any($2)))")
                .execute(Tuple.of(subject, targets.toArray(new String[0]), Sql.ts(now), requestId, heldCalls.isEmpty()))
                .map(rows -> rows.rowCount());
    }

    /** Deletes the audit pseudonym: audit rows that name it no longer point at anybody. */
    public Future<Integer> unlinkPseudonym(Tx tx, String subject) {
        return tx.connection().preparedQuery("delete from subject_pseudonym where subject = $1")
                .execute(Tuple.of(subject))
                .map(r -> r.rowCount());
    }

    /** Recordings still carrying the subject whose audio exists (those of held calls, after the redaction). */
    public Future<Long> recordingsWithAudio(Tx tx, String subject) {
        return tx.connection().preparedQuery("select count(*) from recording where subject = $1 and state in "
                        + LIVE_AUDIO_STATES)
                .execute(Tuple.of(subject))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** The token the request uses, so that a second run replaces with the same one. */
    public Future<Void> rememberToken(Tx tx, UUID requestId, String token) {
        return tx.connection().preparedQuery("update privacy_request set erasure_token = $2 where id = $1")
                .execute(Tuple.of(requestId, token))
                .mapEmpty();
    }

    private static Future<Integer> replaceSubject(Tx tx, String sql, String subject, String token) {
        return tx.connection().preparedQuery(sql).execute(Tuple.of(subject, token)).map(r -> r.rowCount());
    }

    /** A uuid[] parameter, typed as Object so that {@code Tuple.of} never spreads it as varargs. */
    private static Object uuids(List<UUID> ids) {
        return ids.toArray(new UUID[0]);
    }
}
