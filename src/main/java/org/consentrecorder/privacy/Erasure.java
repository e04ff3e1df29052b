package org.consentrecorder.privacy;

import org.consentrecorder.archive.ArchiveState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriClients;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.store.Transactions;
import org.consentrecorder.store.Tx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Carries out an erasure request (GDPR Art. 17) for one subject:
 *
 * <ol>
 *   <li>in one transaction, under the subject's exclusive lock and with evidence redaction switched
 *       on: recordings become tombstones without key material and their ciphertext is deleted;
 *       identifiers in calls, consent evidence, preferences and earlier requests are replaced by a
 *       random token (outcome, lawful basis, times and notice version stay: the fact that consent
 *       was asked and answered, without who); the audit pseudonym is unlinked; the erasure's own
 *       audit row is written; a caller who had refused recording (preference "do not record", or a
 *       last decision that withdrew or objected) is first put on the suppression list as a keyed
 *       hash of the number, so the refusal outlives the number;</li>
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

    private final Vertx vertx;
    private final ErasureRepository rows;
    private final PrivacyRequestRepository requests;
    private final Transactions transactions;
    private final SubjectKeyStore keys;
    private final AriClients ari;
    private final ErasureVerifier verifier;
    private final Clock clock;
    private final PrivacyCheckpoints checkpoints;

    public Erasure(Vertx vertx, Pool pool, SubjectKeyStore keys, AriClients ari, ErasureVerifier verifier,
                   Clock clock) {
        this(vertx, pool, keys, ari, verifier, clock, PrivacyCheckpoints.NONE);
    }

    public Erasure(Vertx vertx, Pool pool, SubjectKeyStore keys, AriClients ari, ErasureVerifier verifier,
                   Clock clock, PrivacyCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
        this.vertx = vertx;
        this.rows = new ErasureRepository();
        this.requests = new PrivacyRequestRepository(pool);
        this.transactions = new Transactions(pool);
        this.keys = keys;
        this.ari = ari;
        this.verifier = verifier;
        this.clock = clock;
    }

    /** What the database step did, and whether the subject key may go. */
    private record Redaction(JsonObject result, boolean keyMayBeDestroyed, boolean partial, List<ErasureRepository.RecordingRef> onAsterisk,
                             List<UUID> heldCalls) {
    }

    /**
     * Runs (or resumes) the erasure of request {@code requestId}; completes with the updated request.
     *
     * @param auditInTransaction appends the erasure's audit row inside the erasure's transaction, given
     *                           what the database step did
     */
    public Future<PrivacyRequest> execute(UUID requestId, String handledBy,
                                          BiFunction<Tx, JsonObject, Future<Void>> auditInTransaction) {
        return requests.find(requestId).compose(found -> {
            PrivacyRequest request = found.orElseThrow(() -> new PrivacyProblem(PrivacyProblem.Kind.NOT_FOUND,
                    "no privacy request with id " + requestId));
            if (!request.isErasure()) {
                throw new PrivacyProblem(PrivacyProblem.Kind.CONFLICT, "request " + requestId + " is an "
                        + request.kind() + " request, not an erasure request");
            }
            if ("completed".equals(request.status())) {
                throw new PrivacyProblem(PrivacyProblem.Kind.CONFLICT, "request " + requestId + " is already completed");
            }
            String subject = request.subject();
            String token = request.erasureToken() != null ? request.erasureToken() : ErasureTokens.fresh();
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
                        LOG.error("erasure request {} not finished, it stays open for a retry: {}", requestId,
                                ExternalText.forLog(message));
                        return requests.failed(requestId, message).transform(ignored ->
                                Future.failedFuture(e instanceof PrivacyProblem ? e : new PrivacyProblem(
                                        PrivacyProblem.Kind.UNAVAILABLE, "the erasure did not finish (" + message
                                        + "); the request stays open, run it again")));
                    });
        });
    }

    private Future<Redaction> eraseUnderLock(UUID requestId, String subject, String token,
                                            BiFunction<Tx, JsonObject, Future<Void>> audit) {
        return transactions.underSubjectLock(subject,
                tx -> redact(tx, requestId, subject, token).compose(r -> audit.apply(tx, r.result()).map(r)),
                r -> checkpoints.reached(PrivacyCheckpoints.Point.ERASURE_REDACTED, requestId)
                        .compose(v -> r.keyMayBeDestroyed() ? destroyKey(subject, r) : Future.succeededFuture(r)));
    }

    /** File I/O (fsync) in the key store: on a worker thread, never on the event loop. */
    private Future<Redaction> destroyKey(String subject, Redaction r) {
        return vertx.executeBlocking(() -> keys.destroy(subject), false).map(destroyed -> {
            r.result().put("subject_key_destroyed", destroyed);
            return r;
        });
    }

    private Future<Redaction> redact(Tx tx, UUID requestId, String subject, String token) {
        JsonObject result = new JsonObject().put("erasure_token", token);
        return rows.activeSubjectHolds(tx, subject)
                .compose(subjectHolds -> {
                    if (!subjectHolds.isEmpty()) {
                        JsonArray holds = new JsonArray();
                        subjectHolds.forEach(h -> holds.add(new JsonObject().put("id", h.id().toString())
                                .put("reason", h.reason()).put("placed_at", JsonTime.format(h.placedAt()))
                                .put("placed_by", h.placedBy())));
                        result.put("blocked_by_subject_hold", holds).put("reason", "everything about the subject is "
                                + "under legal hold (GDPR Art. 17(3)(e)); nothing was erased");
                        return Future.succeededFuture(new Redaction(result, false, true, List.of(), List.of()));
                    }
                    return redactAllButHeld(tx, requestId, subject, token, result);
                })
                .compose(r -> rows.rememberToken(tx, requestId, token).map(r));
    }

    private Future<Redaction> redactAllButHeld(Tx tx, UUID requestId, String subject, String token, JsonObject result) {
        Instant now = clock.instant();
        return rows.callsOf(tx, subject).compose(calls -> rows.activeCallHolds(tx, calls).compose(holds -> {
            List<UUID> held = new ArrayList<>();
            holds.forEach(h -> held.add(h.callId()));
            if (!held.isEmpty()) {
                JsonArray heldJson = new JsonArray();
                holds.forEach(h -> heldJson.add(new JsonObject().put("call_id", h.callId().toString())
                        .put("id", h.id().toString()).put("reason", h.reason())));
                result.put("held_calls", heldJson).put("reason", "calls under legal "
                        + "hold were not erased (GDPR Art. 17(3)(e)); run the request again once "
                        + "the holds are released");
            }
            return redactRows(tx, requestId, subject, token, calls, held, now, result)
                    .map(r -> r.withHeld(held));
        }));
    }

    /** Intermediate result before the held calls are attached. */
    private record Partial(JsonObject result, boolean keyMayBeDestroyed, List<ErasureRepository.RecordingRef> onAsterisk) {
        Redaction withHeld(List<UUID> held) {
            return new Redaction(result, keyMayBeDestroyed, !held.isEmpty(), onAsterisk, held);
        }
    }

    private Future<Partial> redactRows(Tx tx, UUID requestId, String subject, String token, List<UUID> calls,
                                       List<UUID> held, Instant now, JsonObject result) {
        List<ErasureRepository.RecordingRef> onAsterisk = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        return rows.lockRecordings(tx, subject, held)
                .compose(recordings -> {
                    for (ErasureRepository.RecordingRef r : recordings) {
                        ids.add(r.id());
                        // Asterisk keeps its copy until the encrypted copy is archived
                        if (ArchiveState.fromWire(r.state()).inProgress()) {
                            onAsterisk.add(r);
                        }
                    }
                    return rows.deleteCiphertext(tx, ids)
                            .compose(chunks -> {
                                result.put("ciphertext_chunks_deleted", chunks);
                                return rows.tombstoneRecordings(tx, ids, token, "erased on request " + requestId, now);
                            })
                            .map(updated -> result.put("recordings_erased", updated));
                })
                .compose(v -> rows.suppressIfRefused(tx, subject, keys.suppressionDigest(subject), requestId, now))
                .compose(reason -> {
                    // a refusal survives the erasure as a keyed hash: the caller is still not recorded next time
                    result.put("suppression_listed", reason != null);
                    if (reason != null) {
                        result.put("suppression_reason", reason);
                    }
                    return rows.redactDecisions(tx, subject, calls, token, now, held);
                })
                .compose(n -> {
                    result.put("consent_decisions_redacted", n);
                    return rows.redactCalls(tx, subject, token, held);
                })
                .compose(n -> {
                    result.put("calls_redacted", n);
                    return rows.redactPreference(tx, subject, token);
                })
                .compose(n -> {
                    result.put("preferences_redacted", n);
                    return rows.redactPreferenceHistory(tx, subject, token);
                })
                .compose(n -> {
                    result.put("preference_history_redacted", n);
                    return rows.redactOtherRequests(tx, subject, token, requestId);
                })
                .compose(n -> {
                    result.put("other_requests_redacted", n);
                    return rows.redactReleasedHolds(tx, subject, token);
                })
                .compose(n -> {
                    result.put("released_holds_redacted", n);
                    return rows.redactRestrictions(tx, subject, token);
                })
                .compose(n -> {
                    result.put("restrictions_redacted", n);
                    return rows.deleteCorrections(tx, subject, calls, held);
                })
                .compose(n -> {
                    result.put("corrections_deleted", n);
                    return rows.clearAuditTexts(tx, subject, calls, ids, held, requestId, now);
                })
                .compose(n -> {
                    result.put("audit_texts_cleared", n);
                    // held rows still carry the number: their audit rows stay linkable until the hold ends
                    return held.isEmpty() ? rows.unlinkPseudonym(tx, subject) : Future.succeededFuture(0);
                })
                .compose(unlinked -> {
                    result.put("audit_pseudonym_unlinked", unlinked > 0);
                    return rows.recordingsWithAudio(tx, subject);
                })
                .map(heldAudio -> {
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

    /** Best effort: what cannot be deleted now is deleted by the archive's reconciliation (state 'erased'). */
    private Future<JsonArray> deleteOnAsterisk(List<ErasureRepository.RecordingRef> recordings) {
        JsonArray done = new JsonArray();
        List<Future<Void>> deletions = new ArrayList<>();
        for (ErasureRepository.RecordingRef recording : recordings) {
            // a stereo recording's second leg is a file of its own, on the same server
            List<String> files = recording.outName() == null ? List.of(recording.name())
                    : List.of(recording.name(), recording.outName());
            // each file only through the server that holds it
            AriClient client = ari.client(recording.server());
            if (client == null) {
                LOG.warn("erasure: ARI server '{}' is not connected here; Asterisk's copy {} is left to its "
                        + "reconciliation", recording.server(), ExternalText.forLog(recording.name()));
                continue;
            }
            for (String name : files) {
                deletions.add(client.deleteStoredRecording(name)
                        .recover(e -> AriClient.notFound(e) ? Future.succeededFuture() : Future.failedFuture(e))
                        .onSuccess(v -> done.add(name))
                        .onFailure(e -> LOG.warn("erasure: Asterisk's copy {} not deleted yet ({}); the reconciliation "
                                + "deletes it", ExternalText.forLog(name), ExternalText.forLog(e.getMessage()))));
            }
        }
        return Future.join(deletions).transform(ignored -> Future.succeededFuture(done));
    }

    private Future<PrivacyRequest> finish(UUID requestId, String subject, String token, String handledBy, Redaction r,
                                          JsonObject verification) {
        boolean complete = !r.partial() && verification.getBoolean("clean", false);
        String status = complete ? "completed" : r.partial() ? "partially_completed" : "open";
        if (!complete && !r.partial()) {
            r.result().put("reason", "the verification found something left; see verification, then run it again");
        }
        // the request itself forgets the number once nothing else needs it
        String storedSubject = complete ? token : subject;
        return requests.erasureFinished(requestId, status, handledBy,
                        status.equals("open") ? null : clock.instant(), r.result(), verification, storedSubject)
                .map(request -> {
                    LOG.info("erasure request {}: {} (verification {})", requestId, status,
                            verification.getBoolean("clean", false) ? "clean" : "not clean");
                    return request;
                });
    }
}
