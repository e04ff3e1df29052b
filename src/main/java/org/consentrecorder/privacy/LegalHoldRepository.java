package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.store.Sql;
import org.consentrecorder.store.Tx;

/**
 * Legal holds: a call, or everything about a subject, that must be kept (litigation, an
 * authority's order) whatever erasure requests or retention periods say. Holds are never deleted;
 * releasing one records who, when and why.
 */
public final class LegalHoldRepository {
    public static final String CALL = "call";
    public static final String SUBJECT = "subject";

    private final Pool pool;

    public LegalHoldRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * SQL condition that is true when an active hold covers the call or the subject given as SQL
     * expressions (column names of the row being considered); for the other repositories of this
     * package whose statements must leave held rows alone.
     */
    // V26 (redact_consent_decisions_for_retention) repeats this condition in SQL: change both together
    static String held(String callIdExpression, String subjectExpression) {
        return "exists (select 1 from legal_hold h where h.released_at is null and ((h.scope = 'call' and h.call_id = "
                + callIdExpression + ") or (h.scope = 'subject' and h.subject = " + subjectExpression + ")))";
    }

    public Future<LegalHold> place(Tx tx, String scope, UUID callId, String subject, String reason, String placedBy,
                                   Instant at) {
        return tx.connection().preparedQuery("insert into legal_hold (id, scope, call_id, subject, reason, placed_by, "
                        + "placed_at) values ($1, $2, $3, $4, $5, $6, $7) returning *")
                .execute(Tuple.wrap(Arrays.asList(UUID.randomUUID(), scope, callId, subject, reason, placedBy,
                        Sql.ts(at))))
                .map(rows -> holds(rows).get(0));
    }

    /** Releases an active hold; empty when there is no active hold with that id. */
    public Future<Optional<LegalHold>> release(Tx tx, UUID id, String releasedBy, String reason, Instant at) {
        return tx.connection().preparedQuery("update legal_hold set released_by = $2, released_at = $3, "
                        + "release_reason = $4 where id = $1 and released_at is null returning *")
                .execute(Tuple.of(id, releasedBy, Sql.ts(at), reason))
                .map(rows -> holds(rows).stream().findFirst());
    }

    /** A page of holds, newest first; filters are optional (null). */
    public Future<List<LegalHold>> list(Boolean active, UUID callId, String subject, int limit, int offset) {
        return pool.preparedQuery("select * from legal_hold where ($1::boolean is null or (released_at is null) = $1) "
                        + "and ($2::uuid is null or call_id = $2) and ($3::text is null or subject = $3) "
                        + "order by placed_at desc, id limit $4 offset $5")
                .execute(Tuple.wrap(Arrays.asList(active, callId, subject, limit, offset)))
                .map(LegalHoldRepository::holds);
    }

    /** Whether anything is known about the call (a hold on an unknown id is almost surely a typo). */
    public Future<Boolean> callKnown(UUID callId) {
        return pool.preparedQuery("select exists (select 1 from call where id = $1) "
                        + "or exists (select 1 from consent_decision where call_id = $1) "
                        + "or exists (select 1 from recording where call_id = $1)")
                .execute(Tuple.of(callId))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static List<LegalHold> holds(RowSet<Row> rows) {
        List<LegalHold> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new LegalHold(r.getUUID("id"), r.getString("scope"), r.getUUID("call_id"), r.getString("subject"),
                    r.getString("reason"), r.getString("placed_by"), instant(r, "placed_at"),
                    r.getString("released_by"), instant(r, "released_at"), r.getString("release_reason")));
        }
        return out;
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
