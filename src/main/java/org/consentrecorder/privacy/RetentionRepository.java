package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.consentrecorder.store.Sql;
import org.consentrecorder.store.Tx;

/**
 * The statements of the retention job ({@link RetentionJob}) and its run reports. Every batch
 * statement takes its rows with {@code FOR UPDATE SKIP LOCKED LIMIT n} and a condition the batch
 * itself makes false, so instances sharing the database never handle a row twice; rows under an
 * active legal hold are never taken.
 */
public final class RetentionRepository {
    private final Pool pool;

    public RetentionRepository(Pool pool) {
        this.pool = pool;
    }

    /** One run of the job, as the API and the CLI report it. */
    public record RetentionRun(UUID id, String instanceId, String trigger, Instant startedAt, Instant finishedAt,
                               String status, JsonObject counts, String error) {
        /** Every column under its name, times in UTC with milliseconds. */
        public JsonObject toJson() {
            return new JsonObject().put("id", id.toString()).put("instance_id", instanceId).put("trigger", trigger)
                    .put("started_at", JsonTime.format(startedAt)).put("finished_at", JsonTime.format(finishedAt))
                    .put("status", status).put("counts", counts).put("error", error);
        }
    }

    /** An archived recording whose retention period is over. */
    public record ExpiringRecording(UUID id, UUID callId, String subject) {
    }

    // ---- runs ------------------------------------------------------------------------------------

    public Future<Void> runStarted(UUID id, String instanceId, String trigger, Instant startedAt) {
        return pool.preparedQuery("insert into retention_run (id, instance_id, trigger, started_at, status) "
                        + "values ($1, $2, $3, $4, 'running')")
                .execute(Tuple.of(id, instanceId, trigger, Sql.ts(startedAt)))
                .mapEmpty();
    }

    public Future<RetentionRun> runFinished(UUID id, Instant finishedAt, String status, JsonObject counts,
                                            String error) {
        return pool.preparedQuery("update retention_run set finished_at = $2, status = $3, counts = $4, "
                        + "error = $5 where id = $1 returning *")
                .execute(Tuple.of(id, Sql.ts(finishedAt), status, counts, error))
                .map(rows -> runs(rows).get(0));
    }

    /** The last runs, newest first. */
    public Future<List<RetentionRun>> lastRuns(int limit, int offset) {
        return pool.preparedQuery("select * from retention_run order by started_at desc, id limit $1 offset $2")
                .execute(Tuple.of(limit, offset))
                .map(RetentionRepository::runs);
    }

    private static List<RetentionRun> runs(RowSet<Row> rows) {
        List<RetentionRun> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new RetentionRun(r.getUUID("id"), r.getString("instance_id"), r.getString("trigger"),
                    instant(r, "started_at"), instant(r, "finished_at"), r.getString("status"),
                    r.getJsonObject("counts"), r.getString("error")));
        }
        return out;
    }

    // ---- recordings ------------------------------------------------------------------------------

    /** Archived recordings that finished before {@code cutoff}, oldest first, locked for this transaction. */
    public Future<List<ExpiringRecording>> lockExpiredRecordings(Tx tx, Instant cutoff, int limit) {
        return tx.connection().preparedQuery("select id, call_id, subject from recording r where r.state = 'archived' "
                        + "and r.finished_at < $1 and not " + LegalHoldRepository.held("r.call_id", "r.subject")
                        + " order by r.finished_at limit $2 for update skip locked")
                .execute(Tuple.of(Sql.ts(cutoff), limit))
                .map(rows -> {
                    List<ExpiringRecording> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new ExpiringRecording(r.getUUID("id"), r.getUUID("call_id"), r.getString("subject")));
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
     * The recordings become 'expired' tombstones: no header, no key material, never retried. Subject and
     * subject key id stay until the key is dealt with after the commit ({@link #releaseTombstones}): a
     * crash in between leaves a tombstone that says so ({@link #leftoverTombstoneSubjects}).
     */
    public Future<Integer> expire(Tx tx, List<UUID> recordings, Instant now) {
        return tx.connection().preparedQuery("update recording set state = 'expired', "
                        + "header = null, wrapped_data_key = null, "
                        + "plaintext_sha256 = null, source_sha256 = null, "
                        + "last_error = 'expired by retention', next_attempt_at = 'infinity', "
                        + "removed_at = $2, updated_at = clock_timestamp() where id = any($1)")
                .execute(Tuple.of(uuids(recordings), Sql.ts(now)))
                .map(r -> r.rowCount());
    }

    /** Whether any recording of the subject still has audio (on Asterisk or as ciphertext). */
    /** Subjects of expired tombstones whose key step did not finish ("call:<id>" for an anonymous caller). */
    public Future<java.util.Set<String>> leftoverTombstoneSubjects() {
        return pool.query("select distinct coalesce(subject, 'call:' || call_id::text) from recording "
                        + "where state = 'expired' and (subject is not null or subject_key_id is not null)").execute()
                .map(rows -> {
                    java.util.Set<String> subjects = new java.util.LinkedHashSet<>();
                    rows.forEach(r -> subjects.add(r.getString(0)));
                    return subjects;
                });
    }

    /** The key of this subject is dealt with: its tombstones forget who it was. */
    public Future<Void> releaseTombstones(String subject) {
        boolean anonymous = subject.startsWith("call:");
        return pool.preparedQuery(anonymous
                        ? "update recording set subject_key_id = null where state = 'expired' and call_id = $1::uuid"
                        : "update recording set subject = null, subject_key_id = null where state = 'expired' and subject = $1")
                .execute(Tuple.of(anonymous ? UUID.fromString(subject.substring(5)) : subject))
                .mapEmpty();
    }

    public Future<Boolean> audioLeft(Tx tx, String subject) {
        return exists(tx, "select exists (select 1 from recording where subject = $1 and state in "
                + ErasureRepository.LIVE_AUDIO_STATES + ")", subject);
    }

    /** As {@link #audioLeft(Tx, String)} for an anonymous caller's single call. */
    public Future<Boolean> audioLeftOfCall(Tx tx, UUID callId) {
        return exists(tx, "select exists (select 1 from recording where call_id = $1::uuid and state in "
                + ErasureRepository.LIVE_AUDIO_STATES + ")", callId);
    }

    private static Future<Boolean> exists(Tx tx, String sql, Object arg) {
        return tx.connection().preparedQuery(sql).execute(Tuple.of(arg)).map(rows -> rows.iterator().next().getBoolean(0));
    }

    // ---- calls -----------------------------------------------------------------------------------

    /**
     * Calls that began before {@code cutoff}, whose day is already in the statistics and that have no
     * audio left, oldest first, locked for this transaction.
     */
    public Future<List<UUID>> lockExpiredCalls(Tx tx, Instant cutoff, int limit) {
        return tx.connection().preparedQuery("select c.id from call c where c.started_at < $1 "
                        // never before the day is in the statistics
                        + "and exists (select 1 from daily_call_stats s "
                        + "where s.day = (c.started_at at time zone 'UTC')::date) "
                        + "and not " + LegalHoldRepository.held("c.id", "c.caller_subject") + " "
                        + "and not exists (select 1 from recording r where r.call_id = c.id and r.state in "
                        + ErasureRepository.LIVE_AUDIO_STATES + ") order by c.started_at limit $2 for update skip locked")
                .execute(Tuple.of(Sql.ts(cutoff), limit))
                .map(rows -> {
                    List<UUID> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID(0)));
                    return out;
                });
    }

    public Future<Integer> deleteTimeline(Tx tx, List<UUID> calls) {
        return deleteByCall(tx, "delete from recording_timeline where call_id = any($1)", calls);
    }

    /** Corrections and statements on expired calls (Art. 16) go with them; those on a caller stay. */
    public Future<Integer> deleteCallCorrections(Tx tx, List<UUID> calls) {
        return deleteByCall(tx, "delete from correction where scope = 'call' and call_id = any($1)", calls);
    }

    public Future<Integer> deleteRecordingTombstones(Tx tx, List<UUID> calls) {
        return deleteByCall(tx, "delete from recording where call_id = any($1)", calls);
    }

    public Future<Integer> deleteCalls(Tx tx, List<UUID> calls) {
        return deleteByCall(tx, "delete from call where id = any($1)", calls);
    }

    private static Future<Integer> deleteByCall(Tx tx, String sql, List<UUID> calls) {
        return tx.connection().preparedQuery(sql).execute(Tuple.of(uuids(calls))).map(r -> r.rowCount());
    }

    // ---- evidence, preferences, pseudonyms --------------------------------------------------------

    /**
     * Consent decisions taken before {@code cutoff} lose who (number, name, subject, channel ids);
     * the decision, its time, notice and lawful basis stay. A batch of at most {@code limit}.
     */
    public Future<Integer> redactDecisions(Tx tx, Instant cutoff, int limit) {
        // through the owner's function (V26): the application's role may not update evidence itself
        return tx.connection().preparedQuery("select redact_consent_decisions_for_retention($1, $2)")
                .execute(Tuple.of(Sql.ts(cutoff), limit))
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    public Future<Integer> deletePreferenceHistory(Tx tx, Instant cutoff, int limit) {
        return tx.connection().preparedQuery("delete from subject_preference_history h where h.id in "
                        + "(select x.id from subject_preference_history x where x.changed_at < $1 "
                        + "and not " + LegalHoldRepository.held("null::uuid", "x.subject")
                        + " order by x.changed_at limit $2 for update skip locked)")
                .execute(Tuple.of(Sql.ts(cutoff), limit))
                .map(r -> r.rowCount());
    }

    public Future<Integer> deletePreferences(Tx tx, Instant cutoff, int limit) {
        return tx.connection().preparedQuery("delete from subject_preference p where p.subject in "
                        + "(select x.subject from subject_preference x where x.updated_at < $1 "
                        + "and not " + LegalHoldRepository.held("null::uuid", "x.subject")
                        + " order by x.updated_at limit $2 for update skip locked)")
                .execute(Tuple.of(Sql.ts(cutoff), limit))
                .map(r -> r.rowCount());
    }

    /** Pseudonyms unused since {@code cutoff} of subjects nothing else is kept about. */
    public Future<Integer> deleteUnusedPseudonyms(Tx tx, Instant cutoff, int limit) {
        return tx.connection().preparedQuery("delete from subject_pseudonym p where p.subject in (select x.subject "
                        + "from subject_pseudonym x where x.last_used_at < $1 "
                        + "and not exists (select 1 from call where caller_subject = x.subject) "
                        + "and not exists (select 1 from consent_decision where caller_subject = x.subject) "
                        + "and not exists (select 1 from recording where subject = x.subject) "
                        + "and not exists (select 1 from subject_preference where subject = x.subject) "
                        + "and not exists (select 1 from subject_preference_history where subject = x.subject) "
                        + "and not exists (select 1 from privacy_request where subject = x.subject) "
                        + "and not exists (select 1 from legal_hold where subject = x.subject) "
                        + "order by x.last_used_at limit $2 for update skip locked)")
                .execute(Tuple.of(Sql.ts(cutoff), limit))
                .map(r -> r.rowCount());
    }

    /** A uuid[] parameter, typed as Object so that {@code Tuple.of} never spreads it as varargs. */
    private static Object uuids(List<UUID> ids) {
        return ids.toArray(new UUID[0]);
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
