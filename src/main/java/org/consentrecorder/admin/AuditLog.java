package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

/**
 * Appends to the hash-chained audit trail. Each append runs in a transaction that first locks
 * the single {@code audit_chain_head} row ({@code select ... for update}), so concurrent writers
 * queue up and every row links to the one before it; the head moves in the same transaction.
 */
public final class AuditLog {
    static final byte[] GENESIS = new byte[32];

    private final Pool pool;
    private final Clock clock;
    private volatile AdminMetrics metrics = AdminMetrics.NOOP;

    public AuditLog(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    public Pool pool() {
        return pool;
    }

    /** Counts appended and failed rows from now on. */
    public void useMetrics(AdminMetrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics);
    }

    /** Appends in its own transaction; completes with the row's seq once committed. */
    public Future<Long> append(AuditEntry entry) {
        return pool.withTransaction(tx -> append(tx, entry));
    }

    /**
     * Appends inside the caller's transaction, so the audit row commits together with the change
     * it describes, or not at all. Call it last in the transaction: it holds the chain lock.
     */
    public Future<Long> append(SqlConnection tx, AuditEntry entry) {
        return tx.query("select seq, hash from audit_chain_head where id = 1 for update").execute()
                .compose(rows -> {
                    Row head = rows.iterator().next();
                    long seq = head.getLong("seq") + 1;
                    byte[] prev = head.getBuffer("hash").getBytes();
                    Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                    byte[] hash = entry.chainHash(prev, seq, at);
                    return tx.preparedQuery("insert into audit_log (seq, at, actor_kind, actor_id, actor_name, action, "
                                    + "target_type, target_id, reason, source_address, outcome, detail, prev_hash, hash) "
                                    + "values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)")
                            .execute(Tuple.wrap(Arrays.asList(seq, OffsetDateTime.ofInstant(at, ZoneOffset.UTC),
                                    entry.actorKind(), entry.actorId(), entry.actorName(), entry.action(),
                                    entry.targetType(), entry.targetId(), entry.reason(), entry.sourceAddress(),
                                    entry.outcome(), entry.detail(), Buffer.buffer(prev), Buffer.buffer(hash))))
                            .compose(r -> tx.preparedQuery("update audit_chain_head set seq = $1, hash = $2 where id = 1")
                                    .execute(Tuple.of(seq, Buffer.buffer(hash))))
                            .map(r -> seq);
                })
                .andThen(ar -> countAppend(ar.succeeded()));
    }

    private void countAppend(boolean appended) {
        if (appended) {
            metrics.auditAppended();
        } else {
            metrics.auditFailed();
        }
    }
}
