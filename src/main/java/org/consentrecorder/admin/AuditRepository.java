package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
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
import java.util.Optional;
import org.consentrecorder.store.Tx;

/**
 * The audit trail's tables (V11, V28): {@code audit_log}, append-only and chained; {@code audit_text}, the free
 * text beside it that erasure can clear; {@code audit_chain_head}, the single row that says where the chain ends;
 * {@code audit_legacy_rechain}, what the V28 migration did. What is hashed, in which order, is {@link AuditRow}'s
 * and {@link AuditText}'s business; this class only reads and writes rows.
 */
public final class AuditRepository {
    private static final String COLUMNS = "a.seq, a.at, a.actor_kind, a.actor_id, a.actor_name, a.action, "
            + "a.target_type, a.target_id, a.source_address, a.outcome, a.detail, a.text_ref, a.key_id, a.prev_hash, "
            + "a.hash, t.seq as text_seq, t.subject as text_subject, t.nonce as text_nonce, t.body as text_body, "
            + "t.erased_at as text_erased_at";
    private static final String FROM = " from audit_log a left join audit_text t on t.seq = a.seq ";

    private final Pool pool;

    public AuditRepository(Pool pool) {
        this.pool = pool;
    }

    /** Where the chain ends: the last row's seq and hash (seq 0 and 32 zero bytes when empty). */
    public record ChainHead(long seq, byte[] hash) {
    }

    /** A row's free text as stored; body and nonce are null once an erasure cleared them. */
    public record StoredText(String subject, String body, byte[] nonce, Instant erasedAt) {
    }

    /** A chained row as stored, with its links and its free text (null when it has none). */
    public record StoredRow(AuditRow row, byte[] prevHash, byte[] hash, StoredText text) {
    }

    /** A row as the API shows it: the entry with its free text put back, unless erased. */
    public record StoredEntry(long seq, Instant at, AuditEntry entry, boolean textErased, String keyId,
                              byte[] prevHash, byte[] hash) {
    }

    /** What the V28 migration did to the rows written before it (absent when there were none). */
    public record LegacyRechain(Instant doneAt, long legacyRows, byte[] oldHeadHash, byte[] newHeadHash,
                                int subjectsPseudonymised, long rowsWithTextMoved) {
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

    /**
     * Makes {@code tx} one read-only snapshot (REPEATABLE READ): everything read in it afterwards sees the
     * database as of its first statement. Must be the transaction's first statement.
     */
    public Future<Void> snapshot(Tx tx) {
        return tx.connection().query("set transaction isolation level repeatable read, read only").execute().mapEmpty();
    }

    public Future<ChainHead> head(Tx tx) {
        return tx.connection().query("select seq, hash from audit_chain_head where id = 1").execute()
                .map(AuditRepository::head);
    }

    private static ChainHead head(RowSet<Row> rows) {
        Row head = rows.iterator().next();
        return new ChainHead(head.getLong("seq"), head.getBuffer("hash").getBytes());
    }

    public Future<Void> insert(Tx tx, AuditRow row, byte[] prevHash, byte[] hash) {
        return tx.connection().preparedQuery("insert into audit_log (seq, at, actor_kind, actor_id, actor_name, action, "
                        + "target_type, target_id, source_address, outcome, detail, text_ref, key_id, prev_hash, hash) "
                        + "values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)")
                .execute(Tuple.wrap(Arrays.asList(row.seq(), OffsetDateTime.ofInstant(row.at(), ZoneOffset.UTC),
                        row.actorKind(), row.actorId(), row.actorName(), row.action(), row.targetType(), row.targetId(),
                        row.sourceAddress(), row.outcome(), row.detail(),
                        row.textRef() == null ? null : Buffer.buffer(row.textRef()), row.keyId(),
                        Buffer.buffer(prevHash), Buffer.buffer(hash))))
                .mapEmpty();
    }

    public Future<Void> insertText(Tx tx, long seq, String subject, AuditText text) {
        return tx.connection().preparedQuery("insert into audit_text (seq, subject, nonce, body) values ($1, $2, $3, $4)")
                .execute(Tuple.of(seq, subject, Buffer.buffer(text.nonce()), text.body()))
                .mapEmpty();
    }

    /** Moves the head to the row just inserted (the table's trigger allows nothing else). */
    public Future<Void> moveHead(Tx tx, long seq, byte[] hash) {
        return tx.connection().preparedQuery("update audit_chain_head set seq = $1, hash = $2 where id = 1")
                .execute(Tuple.of(seq, Buffer.buffer(hash)))
                .mapEmpty();
    }

    /** Up to {@code limit} rows with {@code afterSeq < seq <= uptoSeq}, in chain order. */
    public Future<List<StoredRow>> page(Tx tx, long afterSeq, long uptoSeq, int limit) {
        return tx.connection().preparedQuery("select " + COLUMNS + FROM + "where a.seq > $1 and a.seq <= $2 "
                        + "order by a.seq limit $3")
                .execute(Tuple.of(afterSeq, uptoSeq, limit))
                .map(rows -> {
                    List<StoredRow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(stored(r)));
                    return out;
                });
    }

    /** The row at {@code seq}, if there is one. */
    public Future<Optional<StoredRow>> at(Tx tx, long seq) {
        return tx.connection().preparedQuery("select " + COLUMNS + FROM + "where a.seq = $1").execute(Tuple.of(seq))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(stored(rows.iterator().next())));
    }

    /** The row the head points at (empty when the chain is empty). */
    public Future<Optional<StoredRow>> last() {
        return pool.query("select " + COLUMNS + FROM + "where a.seq = (select seq from audit_chain_head where id = 1)")
                .execute()
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(stored(rows.iterator().next())));
    }

    public Future<Optional<LegacyRechain>> legacyRechain() {
        return pool.query("select * from audit_legacy_rechain where id = 1").execute().map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            Row r = rows.iterator().next();
            return Optional.of(new LegacyRechain(r.getOffsetDateTime("done_at").toInstant(), r.getLong("legacy_rows"),
                    r.getBuffer("old_head_hash").getBytes(), r.getBuffer("new_head_hash").getBytes(),
                    r.getInteger("subjects_pseudonymised"), r.getLong("rows_with_text_moved")));
        });
    }

    /** Up to {@code limit} rows matching the filter, newest first. */
    public Future<List<StoredEntry>> search(Filter f, int limit) {
        List<Object> params = Arrays.asList(ts(f.from()), ts(f.to()), f.actor(), f.action(), f.target(), f.outcome(),
                f.beforeSeq(), limit);
        return pool.preparedQuery("select " + COLUMNS + FROM
                        + "where ($1::timestamptz is null or a.at >= $1) and ($2::timestamptz is null or a.at < $2) "
                        + "and ($3::text is null or a.actor_id = $3 or a.actor_name = $3) "
                        + "and ($4::text is null or a.action = $4) and ($5::text is null or a.target_id = $5) "
                        + "and ($6::text is null or a.outcome = $6) and ($7::bigint is null or a.seq < $7) "
                        + "order by a.seq desc limit $8")
                .execute(Tuple.wrap(params))
                .map(rows -> {
                    List<StoredEntry> out = new ArrayList<>();
                    rows.forEach(r -> out.add(display(stored(r))));
                    return out;
                });
    }

    private static StoredRow stored(Row r) {
        Buffer textRef = r.getBuffer("text_ref");
        AuditRow row = new AuditRow(r.getLong("seq"), r.getOffsetDateTime("at").toInstant(), r.getString("actor_kind"),
                r.getString("actor_id"), r.getString("actor_name"), r.getString("action"), r.getString("target_type"),
                r.getString("target_id"), r.getString("source_address"), r.getString("outcome"), r.getString("detail"),
                textRef == null ? null : textRef.getBytes(), r.getString("key_id"));
        StoredText text = null;
        if (r.getLong("text_seq") != null) {
            Buffer nonce = r.getBuffer("text_nonce");
            OffsetDateTime erased = r.getOffsetDateTime("text_erased_at");
            text = new StoredText(r.getString("text_subject"), r.getString("text_body"),
                    nonce == null ? null : nonce.getBytes(), erased == null ? null : erased.toInstant());
        }
        return new StoredRow(row, r.getBuffer("prev_hash").getBytes(), r.getBuffer("hash").getBytes(), text);
    }

    /** The entry as it was given: the chained facts, the reason, and note / message back in the detail. */
    private static StoredEntry display(StoredRow s) {
        AuditRow row = s.row();
        String reason = null;
        String detail = row.detail();
        boolean erased = s.text() != null && s.text().body() == null;
        if (s.text() != null && s.text().body() != null) {
            JsonObject free = new JsonObject(s.text().body());
            reason = free.getString("reason");
            JsonObject merged = detail == null ? new JsonObject() : new JsonObject(detail);
            for (String key : AuditText.DETAIL_KEYS) {
                if (free.containsKey(key)) {
                    merged.put(key, free.getValue(key));
                }
            }
            detail = merged.isEmpty() ? null : merged.encode();
        }
        AuditEntry entry = new AuditEntry(row.actorKind(), row.actorId(), row.actorName(), row.action(),
                row.targetType(), row.targetId(), reason, row.sourceAddress(), row.outcome(), detail);
        return new StoredEntry(row.seq(), row.at(), entry, erased, row.keyId(), s.prevHash(), s.hash());
    }

    private static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
