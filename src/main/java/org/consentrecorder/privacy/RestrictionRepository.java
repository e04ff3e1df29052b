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
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.store.Sql;
import org.consentrecorder.store.Tx;

/**
 * Restrictions of processing (GDPR Art. 18): which calls and subjects may be stored but not played or
 * exported (except for legal claims). Placing and lifting run inside the audited transaction of the
 * route; the checks are plain reads.
 */
public final class RestrictionRepository {
    public static final String CALL = "call";
    public static final String SUBJECT = "subject";

    private final Pool pool;

    public RestrictionRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * SQL condition, true when an active restriction covers the call or the subject given as SQL
     * expressions; for the search queries that mark restricted rows in their lists.
     */
    public static String restricted(String callIdExpression, String subjectExpression) {
        return "exists (select 1 from restriction x where x.lifted_at is null and ((x.scope = 'call' and x.call_id = "
                + callIdExpression + ") or (x.scope = 'subject' and x.subject = " + subjectExpression + ")))";
    }

    public Future<Restriction> place(Tx tx, String scope, UUID callId, String subject, String reason, String placedBy,
                                     Instant at) {
        return tx.connection().preparedQuery("insert into restriction (id, scope, call_id, subject, reason, placed_by, "
                        + "placed_at) values ($1, $2, $3, $4, $5, $6, $7) returning *")
                .execute(Tuple.wrap(Arrays.asList(UUID.randomUUID(), scope, callId, subject, reason, placedBy,
                        Sql.ts(at))))
                .map(rows -> restrictions(rows).get(0));
    }

    /** Lifts an active restriction; empty when there is no active restriction with that id. */
    public Future<Optional<Restriction>> lift(Tx tx, UUID id, String liftedBy, String reason, Instant at) {
        return tx.connection().preparedQuery("update restriction set lifted_by = $2, lifted_at = $3, lift_reason = $4 "
                        + "where id = $1 and lifted_at is null returning *")
                .execute(Tuple.of(id, liftedBy, Sql.ts(at), reason))
                .map(rows -> restrictions(rows).stream().findFirst());
    }

    /** A page of restrictions, newest first; filters are optional (null). */
    public Future<List<Restriction>> list(Boolean active, UUID callId, String subject, int limit, int offset) {
        return pool.preparedQuery("select * from restriction where ($1::boolean is null or (lifted_at is null) = $1) "
                        + "and ($2::uuid is null or call_id = $2) and ($3::text is null or subject = $3) "
                        + "order by placed_at desc, id limit $4 offset $5")
                .execute(Tuple.wrap(Arrays.asList(active, callId, subject, limit, offset)))
                .map(RestrictionRepository::restrictions);
    }

    /** Active restrictions covering a call: on the call itself, or on its caller (as the call or its recording names them). */
    public Future<List<Restriction>> coveringCall(UUID callId) {
        return pool.preparedQuery("select * from restriction where lifted_at is null and ((scope = 'call' and "
                        + "call_id = $1) or (scope = 'subject' and subject in (select caller_subject from call "
                        + "where id = $1 union select subject from recording where call_id = $1))) order by placed_at")
                .execute(Tuple.of(callId))
                .map(RestrictionRepository::restrictions);
    }

    /** Active restrictions covering anything of a subject: the subject, or one of their calls. */
    public Future<List<Restriction>> coveringSubject(String subject) {
        return pool.preparedQuery("select * from restriction where lifted_at is null and ((scope = 'subject' and "
                        + "subject = $1) or (scope = 'call' and call_id in (select id from call where caller_subject = $1 "
                        + "union select call_id from recording where subject = $1))) order by placed_at")
                .execute(Tuple.of(subject))
                .map(RestrictionRepository::restrictions);
    }

    /**
     * Of these subjects, those with anything under an active restriction (as {@link #coveringSubject}
     * decides): one query for a page of a list.
     */
    public Future<Set<String>> restrictedAmong(Collection<String> subjects) {
        if (subjects.isEmpty()) {
            return Future.succeededFuture(Set.of());
        }
        return pool.preparedQuery("select u.s from unnest($1::text[]) as u(s) where exists (select 1 from restriction r "
                        + "where r.lifted_at is null and ((r.scope = 'subject' and r.subject = u.s) or (r.scope = 'call' "
                        + "and r.call_id in (select id from call where caller_subject = u.s union select call_id from "
                        + "recording where subject = u.s))))")
                .execute(Tuple.of(subjects.toArray(new String[0])))
                .map(rows -> {
                    Set<String> out = new HashSet<>();
                    for (Row r : rows) {
                        out.add(r.getString(0));
                    }
                    return out;
                });
    }

    private static List<Restriction> restrictions(RowSet<Row> rows) {
        List<Restriction> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Restriction(r.getUUID("id"), r.getString("scope"), r.getUUID("call_id"), r.getString("subject"),
                    r.getString("reason"), r.getString("placed_by"), instant(r, "placed_at"),
                    r.getString("lifted_by"), instant(r, "lifted_at"), r.getString("lift_reason")));
        }
        return out;
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
