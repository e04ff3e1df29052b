package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/**
 * Legal holds: a call, or everything about a subject, that must be kept (litigation, an
 * authority's order) whatever erasure requests or retention periods say. Holds are never deleted;
 * releasing one records who, when and why.
 */
public final class LegalHolds {
    public static final String CALL = "call";
    public static final String SUBJECT = "subject";

    private LegalHolds() {
    }

    /**
     * SQL condition that is true when an active hold covers the call or the subject given as SQL
     * expressions (column names of the row being considered).
     */
    public static String held(String callIdExpression, String subjectExpression) {
        return "exists (select 1 from legal_hold h where h.released_at is null and ((h.scope = 'call' and h.call_id = "
                + callIdExpression + ") or (h.scope = 'subject' and h.subject = " + subjectExpression + ")))";
    }

    public static Future<Row> place(SqlClient tx, String scope, UUID callId, String subject, String reason,
                                    String placedBy, Instant at) {
        return tx.preparedQuery("insert into legal_hold (id, scope, call_id, subject, reason, placed_by, placed_at) "
                        + "values ($1, $2, $3, $4, $5, $6, $7) returning *")
                .execute(Tuple.wrap(Arrays.asList(UUID.randomUUID(), scope, callId, subject, reason, placedBy,
                        PrivacyRequests.ts(at))))
                .map(rows -> rows.iterator().next());
    }

    /** Releases an active hold; empty when there is no active hold with that id. */
    public static Future<Optional<Row>> release(SqlClient tx, UUID id, String releasedBy, String reason, Instant at) {
        return tx.preparedQuery("update legal_hold set released_by = $2, released_at = $3, release_reason = $4 "
                        + "where id = $1 and released_at is null returning *")
                .execute(Tuple.of(id, releasedBy, PrivacyRequests.ts(at), reason))
                .map(rows -> rows.size() == 0 ? Optional.<Row>empty() : Optional.of(rows.iterator().next()));
    }

    public static Future<RowSet<Row>> list(SqlClient client, Boolean active, UUID callId, String subject, int limit,
                                           int offset) {
        return client.preparedQuery("select * from legal_hold where ($1::boolean is null or (released_at is null) = $1) "
                        + "and ($2::uuid is null or call_id = $2) and ($3::text is null or subject = $3) "
                        + "order by placed_at desc, id limit $4 offset $5")
                .execute(Tuple.wrap(Arrays.asList(active, callId, subject, limit, offset)));
    }

    /** Whether anything is known about the call (a hold on an unknown id is almost surely a typo). */
    public static Future<Boolean> callKnown(SqlClient client, UUID callId) {
        return client.preparedQuery("select exists (select 1 from call where id = $1) "
                        + "or exists (select 1 from consent_decision where call_id = $1) "
                        + "or exists (select 1 from recording where call_id = $1)")
                .execute(Tuple.of(callId))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }
}
