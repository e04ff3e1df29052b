package org.consentrecorder.privacy;

import ch.loway.oss.ari4java.generated.models.StoredRecording;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriClients;
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
    private final ErasureVerificationRepository rows;
    private final SubjectKeyStore keys;
    private final AriClients ari;
    private final Clock clock;

    public ErasureVerifier(Vertx vertx, Pool pool, SubjectKeyStore keys, AriClients ari, Clock clock) {
        this.vertx = vertx;
        this.rows = new ErasureVerificationRepository(pool);
        this.keys = keys;
        this.ari = ari;
        this.clock = clock;
    }

    /** The subject's calls that are under an active legal hold (their rows keep the identifiers). */
    public Future<List<UUID>> heldCalls(String subject) {
        return rows.heldCalls(subject);
    }

    /**
     * @param heldCalls calls whose rows an erasure left alone because of a legal hold
     */
    public Future<JsonObject> verify(String subject, String token, UUID requestId, Instant erasureBegan,
                                     List<UUID> heldCalls) {
        Future<Map<String, ErasureVerificationRepository.RowCount>> identified =
                rows.identifiedRows(subject, erasureBegan, heldCalls, requestId);
        Future<Long> pseudonyms = rows.pseudonyms(subject);
        Future<Map<String, Long>> underHold = rows.heldRows(heldCalls);
        Future<Long> ciphertext = rows.ciphertextChunks(subject, token, heldCalls, erasureBegan);
        Future<Long> heldAudio = rows.heldRecordingsWithAudio(subject, heldCalls);
        Future<Long> legacyAudit = rows.auditRowsNaming(subject);
        Future<Boolean> keyExists = vertx.executeBlocking(() -> keys.find(subject).isPresent(), false);
        Future<JsonArray> onAsterisk = asteriskCopies(subject, token, heldCalls, erasureBegan);
        return Future.all(List.of(identified, pseudonyms, underHold, ciphertext, heldAudio, legacyAudit,
                        keyExists, onAsterisk))
                .map(all -> {
                    JsonObject remaining = new JsonObject();
                    JsonObject newer = new JsonObject();
                    identified.result().forEach((table, count) -> {
                        remaining.put(table, count.old());
                        newer.put(table, count.newer());
                    });
                    if (heldCalls.isEmpty()) {
                        remaining.put("subject_pseudonym", pseudonyms.result());
                    }
                    long left = remaining.stream().mapToLong(e -> ((Number) e.getValue()).longValue()).sum();
                    boolean keyOk = !keyExists.result() || heldAudio.result() > 0;
                    boolean asteriskOk = onAsterisk.result() != null && onAsterisk.result().isEmpty();
                    JsonObject report = new JsonObject()
                            .put("checked_at", JsonTime.format(clock.instant()))
                            .put("erasure_began_at", JsonTime.format(erasureBegan))
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

    /** Names of the subject's erased (or still identified, unheld) recordings that Asterisk still stores; null when unknown. */
    private Future<JsonArray> asteriskCopies(String subject, String token, List<UUID> heldCalls, Instant erasureBegan) {
        return rows.recordingNames(subject, token, heldCalls, erasureBegan)
                .compose(ours -> {
                    if (ours.isEmpty()) {
                        return Future.succeededFuture(new JsonArray());
                    }
                    // each server that holds (held) one of the files is asked; one that cannot be makes it unknown
                    List<Future<List<String>>> perServer = new java.util.ArrayList<>();
                    for (String server : new java.util.TreeSet<>(ours.values())) {
                        AriClient client = ari.client(server);
                        if (client == null) {
                            return Future.succeededFuture((JsonArray) null);
                        }
                        perServer.add(client.storedRecordings().map(stored -> {
                            List<String> left = new java.util.ArrayList<>();
                            for (StoredRecording s : stored) {
                                if (server.equals(ours.get(s.getName()))) {
                                    left.add(s.getName());
                                }
                            }
                            return left;
                        }));
                    }
                    return Future.all(perServer).map(all -> {
                        JsonArray left = new JsonArray();
                        perServer.forEach(f -> f.result().forEach(left::add));
                        return left;
                    }).recover(e -> Future.succeededFuture((JsonArray) null));
                });
    }
}
