package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Objects;
import org.consentrecorder.crypto.AuditChainKeys;
import org.consentrecorder.store.Transactions;
import org.consentrecorder.store.Tx;

/**
 * Appends to the keyed audit chain. Each append runs in a transaction that first locks the single
 * {@code audit_chain_head} row ({@code select ... for update}), so concurrent writers queue up and every row links to
 * the one before it; the head moves in the same transaction. A row's hash is an HMAC under a key derived from the
 * keyring ({@link AuditChainKeys}), so write access to the database alone cannot produce a row that verifies; its
 * free text goes to {@code audit_text} ({@link AuditText}) and only a commitment to it is chained.
 */
public final class AuditLog {
    static final byte[] GENESIS = new byte[32];
    static final String SEAL_ACTION = "audit.chain_keyed";

    private final AuditRepository rows;
    private final Transactions transactions;
    private final AuditChainKeys keys;
    private final Clock clock;
    private volatile AdminMetrics metrics = AdminMetrics.NOOP;

    public AuditLog(Pool pool, AuditChainKeys keys, Clock clock) {
        this.rows = new AuditRepository(pool);
        this.transactions = new Transactions(pool);
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = clock;
    }

    /** Counts appended and failed rows from now on. */
    public void useMetrics(AdminMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics);
    }

    /** Appends in its own transaction; completes with the row's seq once committed. */
    public Future<Long> append(AuditEntry entry) {
        return transactions.run(tx -> append(tx, entry));
    }

    /**
     * Appends inside the caller's transaction, so the audit row commits together with the change
     * it describes, or not at all. Call it last in the transaction: it holds the chain lock.
     */
    public Future<Long> append(Tx tx, AuditEntry entry) {
        return rows.lockHead(tx).compose(head -> {
            long seq = head.seq() + 1;
            Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            AuditText.Split split = AuditText.split(entry);
            AuditRow row = new AuditRow(seq, at, entry.actorKind(), entry.actorId(), entry.actorName(), entry.action(),
                    entry.targetType(), entry.targetId(), entry.sourceAddress(), entry.outcome(), split.detail(),
                    split.text() == null ? null : split.text().commitment(), keys.currentId());
            byte[] hash = row.hash(head.hash(), keys);
            return rows.insert(tx, row, head.hash(), hash)
                    .compose(v -> split.text() == null ? Future.<Void>succeededFuture()
                            : rows.insertText(tx, seq, split.subject(), split.text()))
                    .compose(v -> rows.moveHead(tx, seq, hash))
                    .map(v -> seq);
        }).andThen(ar -> countAppend(ar.succeeded()));
    }

    /**
     * After the V28 migration the chain ends in its unkeyed legacy segment: this appends the first keyed row,
     * {@value #SEAL_ACTION}, whose keyed hash covers the legacy head (as its prev_hash) and whose detail repeats what
     * the migration recorded, including the head hash from before the re-chain. From then on a rewrite of the legacy
     * segment breaks this row's link, which cannot be re-made without the key. Does nothing when the chain is empty
     * or already ends in a keyed row. Completes with whether it wrote the row.
     */
    public Future<Boolean> sealLegacySegment() {
        return rows.legacyRechain().compose(rechain -> transactions.run(tx -> rows.lockHead(tx)
                .compose(head -> head.seq() == 0 ? Future.succeededFuture(false) : rows.at(tx, head.seq())
                        .compose(last -> {
                            if (last.isEmpty() || last.get().row().keyId() != null) {
                                return Future.succeededFuture(false);
                            }
                            HexFormat hex = HexFormat.of();
                            JsonObject detail = new JsonObject().put("legacy_head_seq", head.seq())
                                    .put("legacy_head_hash", hex.formatHex(head.hash()));
                            rechain.ifPresent(r -> detail.put("legacy_rows", r.legacyRows())
                                    .put("pre_migration_head_hash", hex.formatHex(r.oldHeadHash()))
                                    .put("migration_head_hash", hex.formatHex(r.newHeadHash()))
                                    .put("subjects_pseudonymised", r.subjectsPseudonymised())
                                    .put("rows_with_text_moved", r.rowsWithTextMoved()));
                            return append(tx, new AuditEntry("system", null, "audit", SEAL_ACTION, "audit_log", null,
                                    null, null, "ok", detail.encode())).map(true);
                        }))));
    }

    private void countAppend(boolean appended) {
        if (appended) {
            metrics.auditAppended();
        } else {
            metrics.auditFailed();
        }
    }
}
