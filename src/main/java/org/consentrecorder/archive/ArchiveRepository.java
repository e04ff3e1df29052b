package org.consentrecorder.archive;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.consentrecorder.call.LawfulBasis;
import org.consentrecorder.call.Outcome;
import org.consentrecorder.call.RecordingControl;
import org.consentrecorder.store.Sql;
import org.consentrecorder.store.SubjectLocks;

/**
 * The recording table and its ciphertext chunks: the durable state machine of the archive
 * ({@link ArchiveState}). Each transition is a conditional update from the expected state, so a
 * step that runs twice changes nothing twice. The SQL of the archive lives here and answers in
 * records; the pool stays inside the package (the fetch gets a {@link FetchRepository}, not a connection).
 */
public final class ArchiveRepository {
    private static final String IN_PROGRESS = ArchiveState.IN_PROGRESS_SQL;

    private final Pool pool;
    private final QuarantineRepository quarantine;

    public ArchiveRepository(Pool pool) {
        this.pool = pool;
        this.quarantine = new QuarantineRepository(pool);
    }

    /** The quarantine's own table, on the same pool; only this package reaches it. */
    QuarantineRepository quarantine() {
        return quarantine;
    }

    /** The archive's id for a recording name: derived, so registering twice finds the same row. */
    public static UUID recordingId(String name) {
        return UUID.nameUUIDFromBytes(("recording:" + name).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A recording row as the pipeline and the playback path see it. outName and outOffsetMs: the second leg of a
     * stereo call (V38), null for a mono recording.
     */
    public record RecordingRow(UUID id, UUID callId, String name, UUID consentId, String subject, String format,
                               ArchiveState state, Integer durationSeconds, Long plaintextBytes, Long ciphertextBytes,
                               byte[] plaintextSha256, Integer segmentSize, Integer chunkCount,
                               Integer segmentsPerChunk, byte[] header, String subjectKeyId, byte[] wrappedDataKey,
                               Instant finishedAt, Instant archivedAt, int attempts, String lastError,
                               Long durationMs, String codec, String codecParameters, byte[] sourceSha256,
                               Long sourceBytes, Long sourceFrames, String server, String outName, Long outOffsetMs) {

        /** Every recording on Asterisk this row stands for: the first leg, and the second of a stereo call. */
        public List<String> asteriskNames() {
            return outName == null ? List.of(name) : List.of(name, outName);
        }
    }

    /** What the fetch step learned: everything needed to read the ciphertext back. */
    public record StoredCopy(byte[] header, String subjectKeyId, byte[] wrappedDataKey, long plaintextBytes,
                             long ciphertextBytes, byte[] plaintextSha256, int formatVersion, int segmentSize,
                             int chunkCount, int segmentsPerChunk, Long durationMs, StoredAudio audio) {
    }

    /**
     * What the stored plaintext is (V25): the codec and its parameters ({@code EncodingParameters.toText()}),
     * both null for a file stored as Asterisk wrote it; and the source file's SHA-256, length and, when it
     * was read as audio, its exact duration in frames. A stereo recording (V38): the first leg's SHA-256, both
     * legs' bytes, the aligned stereo length, and the second leg's own SHA-256 and length; both null for mono.
     */
    public record StoredAudio(String codec, String codecParameters, byte[] sourceSha256, long sourceBytes,
                              Long sourceFrames, byte[] outSourceSha256, Long outSourceBytes) {

        public StoredAudio(String codec, String codecParameters, byte[] sourceSha256, long sourceBytes,
                           Long sourceFrames) {
            this(codec, codecParameters, sourceSha256, sourceBytes, sourceFrames, null, null);
        }
    }

    /** One row of ciphertext: whole STREAM segments, in order by {@code seq}. */
    public record Chunk(int seq, byte[] data) {
    }

    /**
     * What the call table and the evidence say about a recording found on Asterisk. Without a call
     * row ({@code callKnown} false) every other field is empty; outcome is null when no decision is on file.
     */
    public record ConsentBehind(boolean callKnown, boolean discardedInCall, UUID consentId, Outcome outcome,
                                LawfulBasis lawfulBasis, boolean withdrawn, String subject, boolean callEnded) {
        static final ConsentBehind UNKNOWN_CALL = new ConsentBehind(false, false, null, null, null, false, null, true);
    }

    /**
     * Records that a consented recording ended on Asterisk server {@code server} (where its file is), with its second
     * leg when the call was recorded in stereo (outName, and outOffsetMs when both legs' start times were known). A
     * second registration changes nothing, except that a second leg learnt later joins a row not fetched yet (the
     * reconciliation may have registered the first leg before the call handed both over).
     */
    public Future<UUID> registerFinished(String server, UUID callId, String name, String outName, Long outOffsetMs,
                                         UUID consentId, String subject, String format, Integer durationSeconds,
                                         Instant finishedAt) {
        UUID id = recordingId(name);
        return pool.preparedQuery("insert into recording (id, call_id, name, consent_id, subject, format, state, "
                        + "duration_seconds, finished_at, out_name, out_offset_ms, server) "
                        + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                        + "on conflict (name) do update set duration_seconds = coalesce(recording.duration_seconds, "
                        + "excluded.duration_seconds), "
                        + "out_name = case when recording.state = $7 and recording.out_name is null "
                        + "then excluded.out_name else recording.out_name end, "
                        + "out_offset_ms = case when recording.state = $7 and recording.out_name is null "
                        + "then excluded.out_offset_ms else recording.out_offset_ms end")
                .execute(Tuple.wrap(Arrays.asList(id, callId, name, consentId, subject, format,
                        ArchiveState.FINISHED.wire(), durationSeconds, Sql.ts(finishedAt), outName, outOffsetMs,
                        server)))
                .map(id);
    }

    /** The row whose second (stereo) leg is this recording on Asterisk. */
    public Future<Optional<RecordingRow>> findByOutName(String outName) {
        return pool.preparedQuery("select * from recording where out_name = $1").execute(Tuple.of(outName))
                .map(rows -> rows.size() == 0 ? Optional.<RecordingRow>empty() : Optional.of(row(rows.iterator().next())));
    }

    /** A terminal row for audio that must not be archived (withdrawn or unconsented), for the record. */
    public Future<Void> registerTerminal(String server, UUID callId, String name, UUID consentId, String format,
                                         ArchiveState state, String why, Instant at) {
        return pool.preparedQuery("insert into recording (id, call_id, name, consent_id, format, state, finished_at, "
                        + "last_error, next_attempt_at, server) values ($1, $2, $3, $4, $5, $6, $7, $8, 'infinity', $9) "
                        + "on conflict (name) do update set state = excluded.state, last_error = excluded.last_error, "
                        + "next_attempt_at = 'infinity', updated_at = clock_timestamp() "
                        + "where recording.state in " + IN_PROGRESS)
                .execute(Tuple.wrap(Arrays.asList(recordingId(name), callId, name, consentId, format, state.wire(),
                        Sql.ts(at), why, server)))
                .mapEmpty();
    }

    /**
     * Takes up to {@code limit} recordings on one of {@code servers} whose next step is due, and pushes their next
     * attempt out by {@code lease} so another instance does not take them meanwhile (SKIP LOCKED). A recording on
     * another server is left alone: its file can only be fetched and deleted through that server.
     */
    public Future<List<RecordingRow>> claimDue(int limit, Duration lease, List<String> servers) {
        return pool.preparedQuery("update recording set next_attempt_at = clock_timestamp() + ($2 * interval '1 millisecond'), "
                        + "attempts = attempts + 1, updated_at = clock_timestamp() where id in (select id from recording "
                        + "where state in " + IN_PROGRESS + " and next_attempt_at <= clock_timestamp() "
                        + "and server = any($3) order by next_attempt_at limit $1 for update skip locked) returning *")
                .execute(Tuple.of(limit, lease.toMillis(), servers.toArray(new String[0])))
                .map(rows -> {
                    List<RecordingRow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(row(r)));
                    return out;
                });
    }

    /** A step failed: try again at {@code nextAttempt}; the recording stays where it was. */
    public Future<Void> failed(UUID id, String error, Instant nextAttempt) {
        return pool.preparedQuery("update recording set last_error = $2, next_attempt_at = $3, "
                        + "updated_at = clock_timestamp() where id = $1 and state in " + IN_PROGRESS)
                .execute(Tuple.of(id, error, Sql.ts(nextAttempt)))
                .mapEmpty();
    }

    /**
     * Runs {@code work} on one connection that holds the locks of a fetch: the subject's shared lock
     * (erasure and retention take it exclusively before they destroy a subject key, store.SubjectLocks)
     * and the recording's advisory lock (one instance fetches a recording at a time). Fails at once
     * when another instance holds the recording. The locks are released and the connection returned
     * however the work ends.
     */
    <T> Future<T> withFetchLocks(String subject, UUID id, Function<FetchRepository, Future<T>> work) {
        long key = ArchivePipeline.lockKey(id);
        return pool.getConnection().compose(conn -> SubjectLocks.lockShared(conn, subject)
                .compose(v -> conn.preparedQuery("select pg_try_advisory_lock($1)").execute(Tuple.of(key)))
                .compose(rows -> {
                    if (!rows.iterator().next().getBoolean(0)) {
                        return Future.<T>failedFuture("another instance is archiving recording " + id);
                    }
                    return work.apply(new FetchRepository(conn, id))
                            .eventually(() -> conn.preparedQuery("select pg_advisory_unlock($1)").execute(Tuple.of(key))
                                    .<Void>mapEmpty().recover(e -> Future.succeededFuture()));
                })
                .eventually(() -> SubjectLocks.unlockShared(conn, subject))
                .eventually(conn::close));
    }

    public Future<Boolean> verified(UUID id) {
        return pool.preparedQuery("update recording set state = $3, last_error = null, next_attempt_at = clock_timestamp(), "
                        + "updated_at = clock_timestamp() where id = $1 and state = $2")
                .execute(Tuple.of(id, ArchiveState.STORED.wire(), ArchiveState.VERIFIED.wire()))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * The copy did not verify: fetch again (the file is still on Asterisk). When is left to the
     * pipeline's backoff ({@link #failed}); until then the claim's lease keeps it from being taken.
     */
    public Future<Boolean> verificationFailed(UUID id, String why) {
        return pool.preparedQuery("update recording set state = $3, last_error = $2, "
                        + "updated_at = clock_timestamp() where id = $1 and state = $4")
                .execute(Tuple.of(id, why, ArchiveState.FINISHED.wire(), ArchiveState.STORED.wire()))
                .map(rows -> rows.rowCount() == 1);
    }

    public Future<Boolean> archived(UUID id) {
        return pool.preparedQuery("update recording set state = $2, archived_at = clock_timestamp(), "
                        + "last_error = null, next_attempt_at = 'infinity', updated_at = clock_timestamp() "
                        + "where id = $1 and state = $3")
                .execute(Tuple.of(id, ArchiveState.ARCHIVED.wire(), ArchiveState.VERIFIED.wire()))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Terminal: the recording will never be archived (lost on Asterisk, or must not exist). */
    public Future<Boolean> terminal(UUID id, ArchiveState state, String why) {
        return pool.preparedQuery("update recording set state = $2, last_error = $3, next_attempt_at = 'infinity', "
                        + "updated_at = clock_timestamp() where id = $1 and state in " + IN_PROGRESS)
                .execute(Tuple.of(id, state.wire(), why))
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

    /**
     * Up to {@code count} chunk rows from {@code fromSeq} on, in order. Read a few at a time, so
     * neither a long transaction nor a whole recording is ever held.
     */
    public Future<List<Chunk>> chunks(UUID id, int fromSeq, int count) {
        return pool.preparedQuery("select seq, data from recording_chunk where recording_id = $1 "
                        + "and seq >= $2 and seq < $3 order by seq")
                .execute(Tuple.of(id, fromSeq, fromSeq + count))
                .map(rows -> {
                    List<Chunk> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(new Chunk(r.getInteger("seq"), r.getBuffer("data").getBytes())));
                    return out;
                });
    }

    /** The servers that recordings still in the pipeline are on (to notice one that is not configured any more). */
    public Future<List<String>> serversWithPendingRecordings() {
        return pool.query("select distinct server from recording where state in " + IN_PROGRESS + " order by server")
                .execute()
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    public Future<ConsentBehind> consentBehind(UUID callId) {
        String discarded = RecordingControl.State.DISCARDED.name().toLowerCase(java.util.Locale.ROOT);
        return pool.preparedQuery("select c.recording_state, c.consent_id, c.caller_subject, c.ended_at is not null as ended, "
                        + "d.outcome, d.lawful_basis, exists (select 1 from consent_decision w where w.call_id = c.id "
                        + "and w.outcome = $2) as withdrawn from call c left join consent_decision d "
                        + "on d.id = c.consent_id where c.id = $1")
                .execute(Tuple.of(callId, Outcome.WITHDRAWN.wire()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return ConsentBehind.UNKNOWN_CALL;
                    }
                    Row r = rows.iterator().next();
                    String outcome = r.getString("outcome");
                    String basis = r.getString("lawful_basis");
                    return new ConsentBehind(true, discarded.equals(r.getString("recording_state")),
                            r.getUUID("consent_id"), outcome == null ? null : Outcome.fromWire(outcome),
                            basis == null ? null : LawfulBasis.valueOf(basis.toUpperCase(java.util.Locale.ROOT)),
                            r.getBoolean("withdrawn"), r.getString("caller_subject"), r.getBoolean("ended"));
                });
    }

    public Future<Void> incident(String kind, String reference, String detail) {
        return pool.preparedQuery("insert into incident (kind, subject_ref, detail) values ($1, $2, $3)")
                .execute(Tuple.of(kind, reference, detail))
                .mapEmpty();
    }

    static RecordingRow row(Row r) {
        return new RecordingRow(r.getUUID("id"), r.getUUID("call_id"), r.getString("name"), r.getUUID("consent_id"),
                r.getString("subject"), r.getString("format"), ArchiveState.fromWire(r.getString("state")),
                r.getInteger("duration_seconds"), r.getLong("plaintext_bytes"), r.getLong("ciphertext_bytes"),
                bytes(r, "plaintext_sha256"), r.getInteger("segment_size"), r.getInteger("chunk_count"),
                r.getInteger("segments_per_chunk"), bytes(r, "header"), r.getString("subject_key_id"),
                bytes(r, "wrapped_data_key"), Sql.instant(r.getOffsetDateTime("finished_at")),
                Sql.instant(r.getOffsetDateTime("archived_at")), r.getInteger("attempts"), r.getString("last_error"),
                r.getLong("duration_ms"), r.getString("codec"), r.getString("codec_parameters"),
                bytes(r, "source_sha256"), r.getLong("source_bytes"), r.getLong("source_frames"),
                r.getString("server"), r.getString("out_name"), r.getLong("out_offset_ms"));
    }

    private static byte[] bytes(Row r, String column) {
        Buffer b = r.getBuffer(column);
        return b == null ? null : b.getBytes();
    }
}
