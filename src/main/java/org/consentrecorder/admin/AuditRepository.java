package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.consentrecorder.store.Tx;

/**
 * The audit trail's tables (V11): {@code audit_log}, append-only, and {@code audit_chain_head},
 * the single row that says where the chain ends. The chain itself (what is hashed, in which order)
 * is {@link AuditLog}'s and {@link AuditEntry}'s business; this class only reads and writes rows.
 */
public final class AuditRepository {
    private final Pool pool;

    public AuditRepository(Pool pool) {
        this.pool = pool;
    }

    /** Where the chain ends: the last row's seq and hash (seq 0 and {@link AuditLog#GENESIS} when empty). */
    public record ChainHead(long seq, byte[] hash) {
    }

    /** A row as stored: its place in the chain, its time, what it says, and its links. */
    public record StoredEntry(long seq, Instant at, AuditEntry entry, byte[] prevHash, byte[] hash) {
    }

    /** Search filters; null means "any". Rows come newest first, below {@code beforeSeq} when given. */
    public record Filter(Instant from, Instant to, String actor, String action, String target, String outcome,
                         Long beforeSeq) {
    }

    /** Locks the chain head until the transaction ends, so writers queue up and seq stays gapless. */
    public Future<ChainHead> lockHead(Tx tx) {
        return tx.connection().query("select seq, hash from audit_chain_head where id = 1 for update").execute()
                .map(AuditRepository::head);
    }

    public Future<ChainHead> head() {
        return pool.query("select seq, hash from audit_chain_head where id = 1").execute().map(AuditRepository::head);
    }

    private static ChainHead head(RowSet<Row> rows) {
        Row head = rows.iterator().next();
        return new ChainHead(head.getLong("seq"), head.getBuffer("hash").getBytes());
    }

    public Future<Void> insert(Tx tx, long seq, Instant at, AuditEntry entry, byte[] prevHash, byte[] hash) {
        return tx.connection().preparedQuery("insert into audit_log (seq, at, actor_kind, actor_id, actor_name, action, "
                        + "target_type, target_id, reason, source_address, outcome, detail, prev_hash, hash) "
                        + "values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)")
                .execute(Tuple.wrap(Arrays.asList(seq, OffsetDateTime.ofInstant(at, ZoneOffset.UTC),
                        entry.actorKind(), entry.actorId(), entry.actorName(), entry.action(),
                        entry.targetType(), entry.targetId(), entry.reason(), entry.sourceAddress(),
                        entry.outcome(), entry.detail(), Buffer.buffer(prevHash), Buffer.buffer(hash))))
                .mapEmpty();
    }

    /** Moves the head to the row just inserted (the table's trigger allows nothing else). */
    public Future<Void> moveHead(Tx tx, long seq, byte[] hash) {
        return tx.connection().preparedQuery("update audit_chain_head set seq = $1, hash = $2 where id = 1")
                .execute(Tuple.of(seq, Buffer.buffer(hash)))
                .mapEmpty();
    }

    /** Up to {@code limit} rows after {@code seq}, in chain order. */
    public Future<List<StoredEntry>> after(long seq, int limit) {
        return pool.preparedQuery("select * from audit_log where seq > $1 order by seq limit " + limit)
                .execute(Tuple.of(seq))
                .map(AuditRepository::entries);
    }

    /** Up to {@code limit} rows matching the filter, newest first. */
    public Future<List<StoredEntry>> search(Filter f, int limit) {
        List<Object> params = Arrays.asList(ts(f.from()), ts(f.to()), f.actor(), f.action(), f.target(), f.outcome(),
                f.beforeSeq(), limit);
        return pool.preparedQuery("select * from audit_log "
                        + "where ($1::timestamptz is null or at >= $1) and ($2::timestamptz is null or at < $2) "
                        + "and ($3::text is null or actor_id = $3 or actor_name = $3) "
                        + "and ($4::text is null or action = $4) and ($5::text is null or target_id = $5) "
                        + "and ($6::text is null or outcome = $6) and ($7::bigint is null or seq < $7) "
                        + "order by seq desc limit $8")
                .execute(Tuple.wrap(params))
                .map(AuditRepository::entries);
    }

    private static List<StoredEntry> entries(RowSet<Row> rows) {
        List<StoredEntry> out = new ArrayList<>();
        for (Row r : rows) {
            AuditEntry entry = new AuditEntry(r.getString("actor_kind"), r.getString("actor_id"),
                    r.getString("actor_name"), r.getString("action"), r.getString("target_type"),
                    r.getString("target_id"), r.getString("reason"), r.getString("source_address"),
                    r.getString("outcome"), r.getString("detail"));
            out.add(new StoredEntry(r.getLong("seq"), r.getOffsetDateTime("at").toInstant(), entry,
                    r.getBuffer("prev_hash").getBytes(), r.getBuffer("hash").getBytes()));
        }
        return out;
    }

    private static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
