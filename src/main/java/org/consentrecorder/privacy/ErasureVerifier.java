package org.consentrecorder.privacy;

import ch.loway.oss.ari4java.generated.models.StoredRecording;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.crypto.SubjectKeyStore;

/**
 * Proves after an erasure that nothing decryptable about the subject remains: no row carries the
 * subject's identifiers (except rows under legal hold, and rows of calls that began after the
 * erasure did, which are reported apart), no ciphertext of the subject's recordings is left, the
 * subject key is gone from the key store (so copies of the database taken before cannot be
 * decrypted either), and Asterisk holds no copy of an erased recording.
 */
public final class ErasureVerifier {
    private final Vertx vertx;
    private final Pool pool;
    private final SubjectKeyStore keys;
    private final Supplier<AriClient> ari;
    private final Clock clock;

    public ErasureVerifier(Vertx vertx, Pool pool, SubjectKeyStore keys, Supplier<AriClient> ari, Clock clock) {
        this.vertx = vertx;
        this.pool = pool;
        this.keys = keys;
        this.ari = ari;
        this.clock = clock;
    }

    /** A count of rows: {@code old} must be 0 after an erasure; {@code since} began after the erasure did. */
    private record Count(String table, String where, String timeColumn) {
    }

    private static final List<Count> IDENTIFIED = List.of(
            new Count("call", "caller_subject = $1 and not (id = any($3))", "started_at"),
            new Count("consent_decision", "(caller_subject = $1 or caller_number = $1) and not (call_id = any($3))",
                    "decided_at"),
            new Count("recording", "subject = $1 and not (call_id = any($3))", "finished_at"),
            new Count("subject_preference", "subject = $1", "updated_at"),
            new Count("subject_preference_history", "subject = $1", "changed_at"),
            new Count("privacy_request", "subject = $1 and id <> $4", "received_at"),
            new Count("legal_hold", "subject = $1", "placed_at"));

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
     * @param heldCalls calls whose rows an erasure left alone because of a legal hold
     */
    public Future<JsonObject> verify(String subject, String token, UUID requestId, Instant erasureBegan,
                                     List<UUID> heldCalls) {
        Object held = heldCalls.toArray(new UUID[0]);
        Tuple args = Tuple.of(subject, PrivacyRequests.ts(erasureBegan), held, requestId);
        JsonObject remaining = new JsonObject();
        JsonObject newer = new JsonObject();
        List<Future<Void>> counts = new ArrayList<>();
        for (Count c : IDENTIFIED) {
            counts.add(pool.preparedQuery("select count(*) filter (where " + c.timeColumn() + " < $2) as old, "
                            + "count(*) filter (where " + c.timeColumn() + " >= $2) as newer from " + c.table()
                            // every parameter is referenced (typed) in every query, whether the table needs it or not
                            + " where " + c.where() + " and $3::uuid[] is not null and $4::uuid is not null")
                    .execute(args)
                    .map(rows -> {
                        remaining.put(c.table(), rows.iterator().next().getLong("old"));
                        newer.put(c.table(), rows.iterator().next().getLong("newer"));
                        return null;
                    }));
        }
        Future<Long> pseudonyms = pool.preparedQuery("select count(*) from subject_pseudonym where subject = $1")
                .execute(Tuple.of(subject)).map(rows -> rows.iterator().next().getLong(0));
        Future<Map<String, Long>> underHold = heldRows(held);
        Future<Long> ciphertext = pool.preparedQuery("select count(*) from recording_chunk k join recording r "
                        + "on r.id = k.recording_id where (r.subject = $1 or r.subject = $2) and not (r.call_id = any($3)) "
                        + "and r.finished_at < $4")
                .execute(Tuple.of(subject, token, held, PrivacyRequests.ts(erasureBegan)))
                .map(rows -> rows.iterator().next().getLong(0));
        Future<Long> heldAudio = pool.preparedQuery("select count(*) from recording where subject = $1 and state in "
                        + Erasure.LIVE_AUDIO_STATES + " and call_id = any($2)")
                .execute(Tuple.of(subject, held)).map(rows -> rows.iterator().next().getLong(0));
        Future<Long> legacyAudit = pool.preparedQuery("select count(*) from audit_log where target_id = $1")
                .execute(Tuple.of(subject)).map(rows -> rows.iterator().next().getLong(0));
        Future<Boolean> keyExists = vertx.executeBlocking(() -> keys.find(subject).isPresent(), false);
        Future<JsonArray> onAsterisk = asteriskCopies(subject, token, held, erasureBegan);
        return Future.all(List.of(Future.all(counts), pseudonyms, underHold, ciphertext, heldAudio, legacyAudit,
                        keyExists, onAsterisk))
                .map(all -> {
                    if (heldCalls.isEmpty()) {
                        remaining.put("subject_pseudonym", pseudonyms.result());
                    }
                    long left = remaining.stream().mapToLong(e -> ((Number) e.getValue()).longValue()).sum();
                    boolean keyOk = !keyExists.result() || heldAudio.result() > 0;
                    boolean asteriskOk = onAsterisk.result() != null && onAsterisk.result().isEmpty();
                    JsonObject report = new JsonObject()
                            .put("checked_at", RowJson.time(clock.instant()))
                            .put("erasure_began_at", RowJson.time(erasureBegan))
                            .put("rows_with_subject_identifiers", remaining)
                            .put("rows_kept_under_legal_hold", new JsonObject(new LinkedHashMap<>(underHold.result())))
                            .put("rows_collected_after_the_erasure_began", newer)
                            .put("ciphertext_chunks_remaining", ciphertext.result())
                            .put("subject_key_exists", keyExists.result())
                            .put("held_recordings_needing_the_key", heldAudio.result())
                            .put("asterisk_copies_remaining", onAsterisk.result())
                            .put("audit_rows_naming_the_subject_before_pseudonyms", legacyAudit.result())
                            .put("clean", left == 0 && ciphertext.result() == 0 && keyOk && asteriskOk);
                    if (onAsterisk.result() == null) {
                        report.put("asterisk_note", "ARI is not connected: Asterisk could not be checked");
                    }
                    return report;
                });
    }

    private Future<Map<String, Long>> heldRows(Object held) {
        return pool.preparedQuery("select (select count(*) from call where id = any($1)) as call, "
                        + "(select count(*) from consent_decision where call_id = any($1)) as consent_decision, "
                        + "(select count(*) from recording where call_id = any($1)) as recording")
                .execute(Tuple.of(held))
                .map(rows -> {
                    var r = rows.iterator().next();
                    Map<String, Long> m = new LinkedHashMap<>();
                    m.put("call", r.getLong("call"));
                    m.put("consent_decision", r.getLong("consent_decision"));
                    m.put("recording", r.getLong("recording"));
                    return m;
                });
    }

    /** Names of the subject's erased (or still identified, unheld) recordings that Asterisk still stores; null when unknown. */
    private Future<JsonArray> asteriskCopies(String subject, String token, Object held, Instant erasureBegan) {
        return pool.preparedQuery("select name from recording where ((subject = $2 and state = 'erased') "
                        + "or (subject = $1 and not (call_id = any($3)))) and finished_at < $4")
                .execute(Tuple.of(subject, token, held, PrivacyRequests.ts(erasureBegan)))
                .compose(rows -> {
                    Set<String> ours = new HashSet<>();
                    rows.forEach(r -> ours.add(r.getString(0)));
                    if (ours.isEmpty()) {
                        return Future.succeededFuture(new JsonArray());
                    }
                    AriClient client = ari.get();
                    if (client == null) {
                        return Future.succeededFuture((JsonArray) null);
                    }
                    return client.storedRecordings().map(stored -> {
                        JsonArray left = new JsonArray();
                        for (StoredRecording s : stored) {
                            if (ours.contains(s.getName())) {
                                left.add(s.getName());
                            }
                        }
                        return left;
                    }).recover(e -> Future.succeededFuture((JsonArray) null));
                });
    }
}
