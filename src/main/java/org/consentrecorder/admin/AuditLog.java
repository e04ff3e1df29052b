package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.consentrecorder.store.Transactions;
import org.consentrecorder.store.Tx;

/**
 * Appends to the hash-chained audit trail. Each append runs in a transaction that first locks
 * the single {@code audit_chain_head} row ({@code select ... for update}), so concurrent writers
 * queue up and every row links to the one before it; the head moves in the same transaction.
 */
public final class AuditLog {
    static final byte[] GENESIS = new byte[32];

    private final AuditRepository rows;
    private final Transactions transactions;
    private final Clock clock;
    private volatile AdminMetrics metrics = AdminMetrics.NOOP;

    public AuditLog(Pool pool, Clock clock) {
        this.rows = new AuditRepository(pool);
        this.transactions = new Transactions(pool);
        this.clock = clock;
    }

    /** Counts appended and failed rows from now on. */
    public void useMetrics(AdminMetrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics);
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
            byte[] prev = head.hash();
            Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            byte[] hash = entry.chainHash(prev, seq, at);
            return rows.insert(tx, seq, at, entry, prev, hash)
                    .compose(v -> rows.moveHead(tx, seq, hash))
                    .map(v -> seq);
        }).andThen(ar -> countAppend(ar.succeeded()));
    }

    private void countAppend(boolean appended) {
        if (appended) {
            metrics.auditAppended();
        } else {
            metrics.auditFailed();
        }
    }
}
