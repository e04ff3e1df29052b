package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.store.Sql;

/**
 * The counts an erasure's verification ({@link ErasureVerifier}) is made of: rows that still carry
 * the subject's identifiers, ciphertext left, rows kept under legal hold. Read-only.
 */
public final class ErasureVerificationRepository {
    private final Pool pool;

    public ErasureVerificationRepository(Pool pool) {
        this.pool = pool;
    }

    /** Rows carrying the subject in a table: from before the erasure began ({@code old}) and after ({@code newer}). */
    public record RowCount(long old, long newer) {
    }

    /** Where the subject's identifiers can be, and which time column tells old rows from new ones. */
    private record Place(String table, String where, String timeColumn) {
    }

    private static final List<Place> IDENTIFIED = List.of(
            new Place("call", "caller_subject = $1 and not (id = any($3))", "started_at"),
            new Place("consent_decision", "(caller_subject = $1 or caller_number = $1) and not (call_id = any($3))",
                    "decided_at"),
            new Place("recording", "subject = $1 and not (call_id = any($3))", "finished_at"),
            new Place("subject_preference", "subject = $1", "updated_at"),
            new Place("subject_preference_history", "subject = $1", "changed_at"),
            new Place("privacy_request", "subject = $1 and id <> $4", "received_at"),
            new Place("legal_hold", "subject = $1", "placed_at"),
            new Place("restriction", "subject = $1", "placed_at"),
            new Place("correction", "subject = $1", "created_at"));

    /** The subject's calls that are under an active legal hold (their rows keep the identifiers). */
    public Future<List<UUID>> heldCalls(String subject) {
        return pool.preparedQuery("select h.call_id from legal_hold h where h.released_at is null and h.scope = 'call' "
                        + "and (exists (select 1 from call c where c.id = h.call_id and c.caller_subject = $1) "
                        + "or exists (select 1 from consent_decision d where d.call_id = h.call_id "
                        + "and d.caller_subject = $1))")
                .execute(Tuple.of(subject))
                .map(rows -> {
                    List<UUID> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID(0)));
                    return out;
                });
    }

    /**
     * Per table, the rows outside {@code heldCalls} that carry the subject (request {@code requestId}
     * itself excepted), split at {@code erasureBegan}; in a fixed table order.
     */
    public Future<Map<String, RowCount>> identifiedRows(String subject, Instant erasureBegan, List<UUID> heldCalls,
                                                        UUID requestId) {
        Tuple args = Tuple.of(subject, Sql.ts(erasureBegan), uuids(heldCalls), requestId);
        List<Future<RowCount>> counts = new ArrayList<>();
        for (Place p : IDENTIFIED) {
            counts.add(pool.preparedQuery("select count(*) filter (where " + p.timeColumn() + " < $2) as old, "
                            + "count(*) filter (where " + p.timeColumn() + " >= $2) as newer from " + p.table()
                            // every parameter is referenced (typed) in every query, whether the table needs it or not
                            + " where " + p.where() + " and $3::uuid[] is not null and $4::uuid is not null")
                    .execute(args)
                    .map(rows -> {
                        Row r = rows.iterator().next();
                        return new RowCount(r.getLong("old"), r.getLong("newer"));
                    }));
        }
        return Future.all(counts).map(all -> {
            Map<String, RowCount> out = new LinkedHashMap<>();
            for (int i = 0; i < IDENTIFIED.size(); i++) {
                out.put(IDENTIFIED.get(i).table(), counts.get(i).result());
            }
            return out;
        });
    }

    /** 1 while the subject still has an audit pseudonym, else 0. */
    public Future<Long> pseudonyms(String subject) {
        return count("select count(*) from subject_pseudonym where subject = $1", Tuple.of(subject));
    }

    /** The rows of the held calls, per table. */
    public Future<Map<String, Long>> heldRows(List<UUID> heldCalls) {
        return pool.preparedQuery("select (select count(*) from call where id = any($1)) as call, "
                        + "(select count(*) from consent_decision where call_id = any($1)) as consent_decision, "
                        + "(select count(*) from recording where call_id = any($1)) as recording")
                .execute(Tuple.of(uuids(heldCalls)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    Map<String, Long> m = new LinkedHashMap<>();
                    m.put("call", r.getLong("call"));
                    m.put("consent_decision", r.getLong("consent_decision"));
                    m.put("recording", r.getLong("recording"));
                    return m;
                });
    }

    /** Ciphertext chunks left of the subject's recordings (by number or by token) that began before the erasure. */
    public Future<Long> ciphertextChunks(String subject, String token, List<UUID> heldCalls, Instant erasureBegan) {
        return count("select count(*) from recording_chunk k join recording r "
                        + "on r.id = k.recording_id where (r.subject = $1 or r.subject = $2) and not (r.call_id = any($3)) "
                        + "and r.finished_at < $4",
                Tuple.of(subject, token, uuids(heldCalls), Sql.ts(erasureBegan)));
    }

    /** Held recordings whose audio exists: they still need the subject key. */
    public Future<Long> heldRecordingsWithAudio(String subject, List<UUID> heldCalls) {
        return count("select count(*) from recording where subject = $1 and state in "
                + ErasureRepository.LIVE_AUDIO_STATES + " and call_id = any($2)", Tuple.of(subject, uuids(heldCalls)));
    }

    /** Audit rows from before pseudonyms existed that name the subject by number. */
    public Future<Long> auditRowsNaming(String subject) {
        return count("select count(*) from audit_log where target_id = $1", Tuple.of(subject));
    }

    /**
     * Names of the subject's erased (or still identified, unheld) recordings that began before the erasure, each
     * with the Asterisk server its file was on; a stereo recording's second leg is a file of its own there.
     */
    public Future<java.util.Map<String, String>> recordingNames(String subject, String token, List<UUID> heldCalls,
                                                                Instant erasureBegan) {
        return pool.preparedQuery("select name, server, out_name from recording where ((subject = $2 and state = 'erased') "
                        + "or (subject = $1 and not (call_id = any($3)))) and finished_at < $4")
                .execute(Tuple.of(subject, token, uuids(heldCalls), Sql.ts(erasureBegan)))
                .map(rows -> {
                    java.util.Map<String, String> names = new java.util.HashMap<>();
                    rows.forEach(r -> {
                        names.put(r.getString(0), r.getString(1));
                        if (r.getString(2) != null) {
                            names.put(r.getString(2), r.getString(1));
                        }
                    });
                    return names;
                });
    }

    private Future<Long> count(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).map(rows -> rows.iterator().next().getLong(0));
    }

    /** A uuid[] parameter, typed as Object so that {@code Tuple.of} never spreads it as varargs. */
    private static Object uuids(List<UUID> ids) {
        return ids.toArray(new UUID[0]);
    }
}
