package org.consentrecorder.archive;

import org.consentrecorder.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The recording table and its ciphertext chunks: the durable state machine of the archive
 * (finished, stored, verified, archived; discarded, rejected, lost). Each transition is a
 * conditional update from the expected state, so a step that runs twice changes nothing twice.
 */
public final class ArchiveRepository {
    private final Pool pool;

    public ArchiveRepository(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /** The archive's id for a recording name: derived, so registering twice finds the same row. */
    public static UUID recordingId(String name) {
        return UUID.nameUUIDFromBytes(("recording:" + name).getBytes(StandardCharsets.UTF_8));
    }

    /** A recording row as the pipeline and the playback path see it. */
    public record RecordingRow(UUID id, UUID callId, String name, UUID consentId, String subject, String format,
                               String state, Integer durationSeconds, Long plaintextBytes, Long ciphertextBytes,
                               byte[] plaintextSha256, Integer segmentSize, Integer chunkCount,
                               Integer segmentsPerChunk, byte[] header, String subjectKeyId, byte[] wrappedDataKey,
                               Instant finishedAt, Instant archivedAt, int attempts, String lastError) {
    }

    /** What the fetch step learned: everything needed to read the ciphertext back. */
    public record StoredCopy(byte[] header, String subjectKeyId, byte[] wrappedDataKey, long plaintextBytes,
                             long ciphertextBytes, byte[] plaintextSha256, int formatVersion, int segmentSize,
                             int chunkCount, int segmentsPerChunk, Long durationMs) {
    }

    /** Records that a consented recording ended on Asterisk; a second registration is a no-op. */
    public Future<UUID> registerFinished(UUID callId, String name, UUID consentId, String subject, String format,
                                         Integer durationSeconds, Instant finishedAt) {
        UUID id = recordingId(name);
        return pool.preparedQuery("insert into recording (id, call_id, name, consent_id, subject, format, state, "
                        + "duration_seconds, finished_at) values ($1, $2, $3, $4, $5, $6, 'finished', $7, $8) "
                        + "on conflict (name) do update set duration_seconds = coalesce(recording.duration_seconds, "
                        + "excluded.duration_seconds)")
                .execute(Tuple.wrap(Arrays.asList(id, callId, name, consentId, subject, format, durationSeconds,
                        Sql.ts(finishedAt))))
                .map(id);
    }

    /** A terminal row for audio that must not be archived (withdrawn or unconsented), for the record. */
    public Future<Void> registerTerminal(UUID callId, String name, UUID consentId, String format, String state,
                                         String why, Instant at) {
        return pool.preparedQuery("insert into recording (id, call_id, name, consent_id, format, state, finished_at, "
                        + "last_error, next_attempt_at) values ($1, $2, $3, $4, $5, $6, $7, $8, 'infinity') "
                        + "on conflict (name) do update set state = excluded.state, last_error = excluded.last_error, "
                        + "next_attempt_at = 'infinity', updated_at = clock_timestamp() "
                        + "where recording.state in ('finished', 'stored', 'verified')")
                .execute(Tuple.wrap(Arrays.asList(recordingId(name), callId, name, consentId, format, state,
                        Sql.ts(at), why)))
                .mapEmpty();
    }

    /**
     * Takes up to {@code limit} recordings whose next step is due, and pushes their next attempt
     * out by {@code lease} so another instance does not take them meanwhile (SKIP LOCKED).
     */
    public Future<List<RecordingRow>> claimDue(int limit, Duration lease) {
        return pool.preparedQuery("update recording set next_attempt_at = clock_timestamp() + ($2 * interval '1 millisecond'), "
                        + "attempts = attempts + 1, updated_at = clock_timestamp() where id in (select id from recording "
                        + "where state in ('finished', 'stored', 'verified') and next_attempt_at <= clock_timestamp() "
                        + "order by next_attempt_at limit $1 for update skip locked) returning *")
                .execute(Tuple.of(limit, lease.toMillis()))
                .map(rows -> {
                    List<RecordingRow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(row(r)));
                    return out;
                });
    }

    /** A step failed: try again at {@code nextAttempt}; the recording stays where it was. */
    public Future<Void> failed(UUID id, String error, Instant nextAttempt) {
        return pool.preparedQuery("update recording set last_error = $2, next_attempt_at = $3, "
                        + "updated_at = clock_timestamp() where id = $1 and state in ('finished', 'stored', 'verified')")
                .execute(Tuple.of(id, error, Sql.ts(nextAttempt)))
                .mapEmpty();
    }

    /** All chunks are written: make them the recording's copy (finished -> stored). */
    public Future<Boolean> stored(SqlClient client, UUID id, StoredCopy c) {
        return client.preparedQuery("update recording set state = 'stored', header = $2, subject_key_id = $3, "
                        + "wrapped_data_key = $4, plaintext_bytes = $5, ciphertext_bytes = $6, plaintext_sha256 = $7, "
                        + "format_version = $8, segment_size = $9, chunk_count = $10, segments_per_chunk = $11, "
                        + "duration_ms = $12, last_error = null, next_attempt_at = clock_timestamp(), "
                        + "updated_at = clock_timestamp() where id = $1 and state = 'finished'")
                .execute(Tuple.wrap(Arrays.asList(id, Buffer.buffer(c.header()), c.subjectKeyId(),
                        Buffer.buffer(c.wrappedDataKey()), c.plaintextBytes(), c.ciphertextBytes(),
                        Buffer.buffer(c.plaintextSha256()), c.formatVersion(), c.segmentSize(), c.chunkCount(),
                        c.segmentsPerChunk(), c.durationMs())))
                .map(rows -> rows.rowCount() == 1);
    }

    public Future<Boolean> verified(UUID id) {
        return transition(id, "stored", "verified", null);
    }

    /** The copy did not read back: fetch again (the file is still on Asterisk). */
    public Future<Boolean> verificationFailed(UUID id, String why) {
        return pool.preparedQuery("update recording set state = 'finished', last_error = $2, "
                        + "next_attempt_at = clock_timestamp(), updated_at = clock_timestamp() where id = $1 and state = 'stored'")
                .execute(Tuple.of(id, why))
                .map(rows -> rows.rowCount() == 1);
    }

    public Future<Boolean> archived(UUID id) {
        return pool.preparedQuery("update recording set state = 'archived', archived_at = clock_timestamp(), "
                        + "last_error = null, next_attempt_at = 'infinity', updated_at = clock_timestamp() "
                        + "where id = $1 and state = 'verified'")
                .execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Terminal: the recording will never be archived (lost on Asterisk, or must not exist). */
    public Future<Boolean> terminal(UUID id, String state, String why) {
        return pool.preparedQuery("update recording set state = $2, last_error = $3, next_attempt_at = 'infinity', "
                        + "updated_at = clock_timestamp() where id = $1 and state in ('finished', 'stored', 'verified')")
                .execute(Tuple.of(id, state, why))
                .map(rows -> rows.rowCount() == 1);
    }

    private Future<Boolean> transition(UUID id, String from, String to, String error) {
        return pool.preparedQuery("update recording set state = $3, last_error = $4, next_attempt_at = clock_timestamp(), "
                        + "updated_at = clock_timestamp() where id = $1 and state = $2")
                .execute(Tuple.of(id, from, to, error))
                .map(rows -> rows.rowCount() == 1);
    }

    public Future<Optional<RecordingRow>> find(UUID id) {
        return pool.preparedQuery("select * from recording where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.<RecordingRow>empty() : Optional.of(row(rows.iterator().next())));
    }

    public Future<Optional<RecordingRow>> findByName(String name) {
        return pool.preparedQuery("select * from recording where name = $1").execute(Tuple.of(name))
                .map(rows -> rows.size() == 0 ? Optional.<RecordingRow>empty() : Optional.of(row(rows.iterator().next())));
    }

    /** What the call table and the evidence say about a recording found on Asterisk. */
    public record ConsentBehind(boolean callKnown, String recordingState, UUID consentId, String outcome,
                                String lawfulBasis, boolean withdrawn, String subject, boolean callEnded) {
    }

    public Future<ConsentBehind> consentBehind(UUID callId) {
        return pool.preparedQuery("select c.recording_state, c.consent_id, c.caller_subject, c.ended_at is not null as ended, "
                        + "d.outcome, d.lawful_basis, exists (select 1 from consent_decision w where w.call_id = c.id "
                        + "and w.outcome = 'withdrawn') as withdrawn from call c left join consent_decision d "
                        + "on d.id = c.consent_id where c.id = $1")
                .execute(Tuple.of(callId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return new ConsentBehind(false, null, null, null, null, false, null, true);
                    }
                    Row r = rows.iterator().next();
                    return new ConsentBehind(true, r.getString("recording_state"), r.getUUID("consent_id"),
                            r.getString("outcome"), r.getString("lawful_basis"), r.getBoolean("withdrawn"),
                            r.getString("caller_subject"), r.getBoolean("ended"));
                });
    }

    public Future<Void> incident(String kind, String reference, String detail) {
        return pool.preparedQuery("insert into incident (kind, subject_ref, detail) values ($1, $2, $3)")
                .execute(Tuple.of(kind, reference, detail))
                .mapEmpty();
    }

    static RecordingRow row(Row r) {
        return new RecordingRow(r.getUUID("id"), r.getUUID("call_id"), r.getString("name"), r.getUUID("consent_id"),
                r.getString("subject"), r.getString("format"), r.getString("state"), r.getInteger("duration_seconds"),
                r.getLong("plaintext_bytes"), r.getLong("ciphertext_bytes"), bytes(r, "plaintext_sha256"),
                r.getInteger("segment_size"), r.getInteger("chunk_count"), r.getInteger("segments_per_chunk"),
                bytes(r, "header"), r.getString("subject_key_id"), bytes(r, "wrapped_data_key"),
                Sql.instant(r.getOffsetDateTime("finished_at")), Sql.instant(r.getOffsetDateTime("archived_at")),
                r.getInteger("attempts"), r.getString("last_error"));
    }

    private static byte[] bytes(Row r, String column) {
        Buffer b = r.getBuffer(column);
        return b == null ? null : b.getBytes();
    }
}
