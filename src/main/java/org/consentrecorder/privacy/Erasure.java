package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.store.SubjectLocks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out an erasure request (GDPR Art. 17) for one subject:
 *
 * <ol>
 *   <li>in one transaction, under the subject's exclusive lock and with evidence redaction switched
 *       on: recordings become tombstones without key material and their ciphertext is deleted;
 *       identifiers in calls, consent evidence, preferences and earlier requests are replaced by a
 *       random token (outcome, lawful basis, times and notice version stay: the fact that consent
 *       was asked and answered, without who); the audit pseudonym is unlinked; the erasure's own
 *       audit row is written;</li>
 *   <li>after the commit, Asterisk's copy of a recording that was not archived yet is deleted, and
 *       the subject key is destroyed, so that copies of the database (backups) cannot be decrypted
 *       any more. If that fails the request stays open and may be run again: every step is
 *       idempotent;</li>
 *   <li>a verification looks for anything left and is stored with the request.</li>
 * </ol>
 *
 * Held calls (legal hold) keep their rows and recordings; if any held recording still has
 * ciphertext the subject key is kept, and the request ends "partially_completed" with the reason.
 * A hold on the subject itself blocks the erasure entirely (Art. 17(3)(e)).
 */
public final class Erasure {
    private static final Logger LOG = LoggerFactory.getLogger(Erasure.class);
    /** Recording states whose audio still exists somewhere (on Asterisk or as ciphertext here). */
    static final String LIVE_AUDIO_STATES = "('finished', 'stored', 'verified', 'archived')";

    private final Vertx vertx;
    private final Pool pool;
    private final SubjectKeyStore keys;
    private final Supplier<AriClient> ari;
    private final ErasureVerifier verifier;
    private final Clock clock;
    private final PrivacyCheckpoints checkpoints;

    public Erasure(Vertx vertx, Pool pool, SubjectKeyStore keys, Supplier<AriClient> ari, ErasureVerifier verifier,
                   Clock clock) {
        this(vertx, pool, keys, ari, verifier, clock, PrivacyCheckpoints.NONE);
    }

    public Erasure(Vertx vertx, Pool pool, SubjectKeyStore keys, Supplier<AriClient> ari, ErasureVerifier verifier,
                   Clock clock, PrivacyCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
        this.vertx = vertx;
        this.pool = pool;
        this.keys = keys;
        this.ari = ari;
        this.verifier = verifier;
        this.clock = clock;
    }

    /** What the database step did, and whether the subject key may go. */
    private record Redaction(JsonObject result, boolean keyMayBeDestroyed, boolean partial, List<String> onAsterisk,
                             List<UUID> heldCalls) {
    }

    /**
     * Runs (or resumes) the erasure of request {@code requestId}; completes with the updated request row.
     *
     * @param auditInTransaction appends the erasure's audit row inside the erasure's transaction, given
     *                           what the database step did
     */
    public Future<Row> execute(UUID requestId, String handledBy,
                               BiFunction<SqlConnection, JsonObject, Future<Void>> auditInTransaction) {
        return PrivacyRequests.find(pool, requestId).compose(found -> {
            Row request = found.orElseThrow(() -> new PrivacyProblem(PrivacyProblem.Kind.NOT_FOUND,
                    "no privacy request with id " + requestId));
            if (!PrivacyRequests.ERASURE.equals(request.getString("kind"))) {
                throw new PrivacyProblem(PrivacyProblem.Kind.CONFLICT, "request " + requestId + " is an "
                        + request.getString("kind") + " request, not an erasure request");
            }
            if ("completed".equals(request.getString("status"))) {
                throw new PrivacyProblem(PrivacyProblem.Kind.CONFLICT, "request " + requestId + " is already completed");
            }
            String subject = request.getString("subject");
            String token = request.getString("erasure_token") != null ? request.getString("erasure_token")
                    : ErasureTokens.fresh();
            Instant started = clock.instant();
            return eraseUnderLock(requestId, subject, token, auditInTransaction)
                    .compose(r -> deleteOnAsterisk(r.onAsterisk()).map(asterisk -> {
                        r.result().put("asterisk_copies_deleted", asterisk);
                        return r;
                    }))
                    .compose(r -> verifier.verify(subject, token, requestId, started, r.heldCalls())
                            .compose(verification -> finish(requestId, subject, token, handledBy, r, verification)))
                    .recover(e -> {
                        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                        LOG.error("erasure request {} not finished, it stays open for a retry: {}", requestId, message);
                        return PrivacyRequests.failed(pool, requestId, message).transform(ignored ->
                                Future.failedFuture(e instanceof PrivacyProblem ? e : new PrivacyProblem(
                                        PrivacyProblem.Kind.UNAVAILABLE, "the erasure did not finish (" + message
                                        + "); the request stays open, run it again")));
                    });
        });
    }

    private Future<Redaction> eraseUnderLock(UUID requestId, String subject, String token,
                                            BiFunction<SqlConnection, JsonObject, Future<Void>> audit) {
        return pool.getConnection().compose(conn -> SubjectLocks.lockExclusive(conn, subject)
                .compose(v -> conn.begin())
                .compose(tx -> redact(conn, requestId, subject, token)
                        .compose(r -> audit.apply(conn, r.result()).map(r))
                        .compose(r -> tx.commit().map(r))
                        .recover(e -> tx.rollback().transform(ignored -> Future.<Redaction>failedFuture(e))))
                .compose(r -> checkpoints.reached(PrivacyCheckpoints.Point.ERASURE_REDACTED, requestId).map(r))
                .compose(r -> r.keyMayBeDestroyed() ? destroyKey(subject, r) : Future.succeededFuture(r))
                .eventually(() -> SubjectLocks.unlockExclusive(conn, subject))
                .eventually(conn::close));
    }

    /** File I/O (fsync) in the key store: on a worker thread, never on the event loop. */
    private Future<Redaction> destroyKey(String subject, Redaction r) {
        return vertx.executeBlocking(() -> keys.destroy(subject), false).map(destroyed -> {
            r.result().put("subject_key_destroyed", destroyed);
            return r;
        });
    }

    private Future<Redaction> redact(SqlConnection c, UUID requestId, String subject, String token) {
        JsonObject result = new JsonObject().put("erasure_token", token);
        return c.query("set local consent_recorder.redaction = 'on'").execute()
                .compose(v -> c.preparedQuery("select id, reason, placed_at, placed_by from legal_hold "
                                + "where released_at is null and scope = 'subject' and subject = $1")
                        .execute(Tuple.of(subject)))
                .compose(subjectHolds -> {
                    if (subjectHolds.size() > 0) {
                        JsonArray holds = RowJson.rows(subjectHolds);
                        result.put("blocked_by_subject_hold", holds).put("reason", "everything about the subject is "
                                + "under legal hold (GDPR Art. 17(3)(e)); nothing was erased");
                        return Future.succeededFuture(new Redaction(result, false, true, List.of(), List.of()));
                    }
                    return redactAllButHeld(c, requestId, subject, token, result);
                })
                .compose(r -> c.preparedQuery("update privacy_request set erasure_token = $2 where id = $1")
                        .execute(Tuple.of(requestId, token)).map(r));
    }

    private Future<Redaction> redactAllButHeld(SqlConnection c, UUID requestId, String subject, String token,
                                               JsonObject result) {
        Instant now = clock.instant();
        Tuple bySubject = Tuple.of(subject);
        return c.preparedQuery("select id from call where caller_subject = $1 "
                        + "union select call_id from consent_decision where caller_subject = $1 "
                        + "union select call_id from recording where subject = $1")
                .execute(bySubject)
                .compose(callRows -> {
                    List<UUID> calls = new ArrayList<>();
                    callRows.forEach(r -> calls.add(r.getUUID(0)));
                    UUID[] callArray = calls.toArray(new UUID[0]);
                    return c.preparedQuery("select call_id, id, reason from legal_hold where released_at is null "
                                    + "and scope = 'call' and call_id = any($1)")
                            .execute(Tuple.of((Object) callArray))
                            .compose(holdRows -> {
                                List<UUID> held = new ArrayList<>();
                                holdRows.forEach(r -> held.add(r.getUUID("call_id")));
                                if (!held.isEmpty()) {
                                    result.put("held_calls", RowJson.rows(holdRows)).put("reason", "calls under legal "
                                            + "hold were not erased (GDPR Art. 17(3)(e)); run the request again once "
                                            + "the holds are released");
                                }
                                return redactRows(c, requestId, subject, token, callArray,
                                        held.toArray(new UUID[0]), now, result)
                                        .map(r -> r.withHeld(held));
                            });
                });
    }

    /** Intermediate result before the held calls are attached. */
    private record Partial(JsonObject result, boolean keyMayBeDestroyed, List<String> onAsterisk) {
        Redaction withHeld(List<UUID> held) {
            return new Redaction(result, keyMayBeDestroyed, !held.isEmpty(), onAsterisk, held);
        }
    }

    private Future<Partial> redactRows(SqlConnection c, UUID requestId, String subject, String token, UUID[] calls,
                                       UUID[] held, Instant now, JsonObject result) {
        Object heldArg = held;
        List<String> onAsterisk = new ArrayList<>();
        return c.preparedQuery("select id, name, state from recording where subject = $1 and not (call_id = any($2)) "
                        + "for update")
                .execute(Tuple.of(subject, heldArg))
                .compose(recordings -> {
                    List<UUID> ids = new ArrayList<>();
                    for (Row r : recordings) {
                        ids.add(r.getUUID("id"));
                        String state = r.getString("state");
                        if (state.equals("finished") || state.equals("stored") || state.equals("verified")) {
                            onAsterisk.add(r.getString("name"));
                        }
                    }
                    Object idArg = ids.toArray(new UUID[0]);
                    return c.preparedQuery("delete from recording_chunk where recording_id = any($1)")
                            .execute(Tuple.of(idArg))
                            .compose(chunks -> {
                                result.put("ciphertext_chunks_deleted", chunks.rowCount());
                                return c.preparedQuery("update recording set state = case when state in "
                                                + LIVE_AUDIO_STATES + " then 'erased' else state end, subject = $2, "
                                                + "header = null, wrapped_data_key = null, subject_key_id = null, "
                                                + "plaintext_sha256 = null, last_error = $3, next_attempt_at = 'infinity', "
                                                + "removed_at = coalesce(removed_at, $4), updated_at = clock_timestamp() "
                                                + "where id = any($1)")
                                        .execute(Tuple.of(idArg, token, "erased on request " + requestId,
                                                PrivacyRequests.ts(now)));
                            })
                            .map(updated -> result.put("recordings_erased", updated.rowCount()));
                })
                .compose(v -> c.preparedQuery("update consent_decision set caller_number = case when caller_number "
                                + "is null then null else $3 end, caller_name = null, caller_subject = $3, "
                                + "channel_id = $3, linked_id = null, redacted_at = coalesce(redacted_at, $4), "
                                + "redaction = 'erasure' where (caller_subject = $1 or call_id = any($2)) "
                                + "and not (call_id = any($5))")
                        .execute(Tuple.of(subject, calls, token, PrivacyRequests.ts(now), heldArg)))
                .compose(r -> {
                    result.put("consent_decisions_redacted", r.rowCount());
                    return c.preparedQuery("update call set caller_subject = $2, channel_id = $2, channel_name = null, "
                                    + "linked_id = null, updated_at = clock_timestamp() "
                                    + "where caller_subject = $1 and not (id = any($3))")
                            .execute(Tuple.of(subject, token, heldArg));
                })
                .compose(r -> {
                    result.put("calls_redacted", r.rowCount());
                    return c.preparedQuery("update subject_preference set subject = $2 where subject = $1")
                            .execute(Tuple.of(subject, token));
                })
                .compose(r -> {
                    result.put("preferences_redacted", r.rowCount());
                    return c.preparedQuery("update subject_preference_history set subject = $2 where subject = $1")
                            .execute(Tuple.of(subject, token));
                })
                .compose(r -> {
                    result.put("preference_history_redacted", r.rowCount());
                    return c.preparedQuery("update privacy_request set subject = $2 where subject = $1 and id <> $3")
                            .execute(Tuple.of(subject, token, requestId));
                })
                .compose(r -> {
                    result.put("other_requests_redacted", r.rowCount());
                    return c.preparedQuery("update legal_hold set subject = $2 where subject = $1 "
                                    + "and released_at is not null")
                            .execute(Tuple.of(subject, token));
                })
                .compose(r -> {
                    result.put("released_holds_redacted", r.rowCount());
                    // held rows still carry the number: their audit rows stay linkable until the hold ends
                    return held.length > 0 ? Future.succeededFuture(0)
                            : c.preparedQuery("delete from subject_pseudonym where subject = $1").execute(bySubject(subject))
                                    .map(d -> d.rowCount());
                })
                .compose(unlinked -> {
                    result.put("audit_pseudonym_unlinked", unlinked > 0);
                    return c.preparedQuery("select count(*) from recording where subject = $1 and state in "
                                    + LIVE_AUDIO_STATES)
                            .execute(bySubject(subject));
                })
                .map(rows -> {
                    long heldAudio = rows.iterator().next().getLong(0);
                    result.put("held_recordings_kept", heldAudio);
                    if (heldAudio > 0) {
                        result.put("subject_key_kept", "recordings under legal hold still need the subject key; it is "
                                + "destroyed when the request is run again after the holds are released (until then, "
                                + "copies of the database taken before the erasure can still decrypt the caller's "
                                + "other recordings)");
                    }
                    return new Partial(result, heldAudio == 0, onAsterisk);
                });
    }

    private static Tuple bySubject(String subject) {
        return Tuple.of(subject);
    }

    /** Best effort: what cannot be deleted now is deleted by the archive's reconciliation (state 'erased'). */
    private Future<JsonArray> deleteOnAsterisk(List<String> names) {
        JsonArray done = new JsonArray();
        if (names.isEmpty()) {
            return Future.succeededFuture(done);
        }
        AriClient client = ari.get();
        if (client == null) {
            LOG.warn("erasure: ARI is not connected; {} recording(s) on Asterisk are left to the reconciliation",
                    names.size());
            return Future.succeededFuture(done);
        }
        List<Future<Void>> deletions = new ArrayList<>();
        for (String name : names) {
            deletions.add(client.deleteStoredRecording(name)
                    .recover(e -> AriClient.notFound(e) ? Future.succeededFuture() : Future.failedFuture(e))
                    .onSuccess(v -> done.add(name))
                    .onFailure(e -> LOG.warn("erasure: Asterisk's copy {} not deleted yet ({}); the reconciliation "
                            + "deletes it", name, e.getMessage())));
        }
        return Future.join(deletions).transform(ignored -> Future.succeededFuture(done));
    }

    private Future<Row> finish(UUID requestId, String subject, String token, String handledBy, Redaction r,
                               JsonObject verification) {
        boolean complete = !r.partial() && verification.getBoolean("clean", false);
        String status = complete ? "completed" : r.partial() ? "partially_completed" : "open";
        if (!complete && !r.partial()) {
            r.result().put("reason", "the verification found something left; see verification, then run it again");
        }
        // the request itself forgets the number once nothing else needs it
        String storedSubject = complete ? token : subject;
        return pool.preparedQuery("update privacy_request set status = $2, handled_by = $3, completed_at = $4, "
                        + "result = $5, verification = $6, last_error = null, attempts = attempts + 1, subject = $7 "
                        + "where id = $1 returning " + PrivacyRequests.COLUMNS)
                .execute(Tuple.wrap(java.util.Arrays.asList(requestId, status, handledBy,
                        status.equals("open") ? null : PrivacyRequests.ts(clock.instant()), r.result(), verification,
                        storedSubject)))
                .map(rows -> {
                    LOG.info("erasure request {}: {} (verification {})", requestId, status,
                            verification.getBoolean("clean", false) ? "clean" : "not clean");
                    return rows.iterator().next();
                });
    }
}
