package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.consentrecorder.store.Sql;
import org.consentrecorder.store.Tx;

/**
 * Corrections and supplementary statements (GDPR Art. 16), append-only with their history: an
 * amendment is a new row superseding the old one. Adding runs inside the route's audited transaction.
 */
public final class CorrectionRepository {
    public static final String CALL = "call";
    public static final String SUBJECT = "subject";
    private static final String COLUMNS = "select c.*, (select n.id from correction n where n.supersedes = c.id) "
            + "as superseded_by from correction c ";

    private final Pool pool;

    public CorrectionRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Adds a statement. An amendment ({@code supersedes} set) must concern the same call or subject as
     * the version it amends, and that version must be current.
     *
     * @throws PrivacyProblem NOT_FOUND or CONFLICT (as a failed future) when the amended version does not fit
     */
    public Future<Correction> add(Tx tx, String scope, UUID callId, String subject, String kind, String statement,
                                  UUID supersedes, String createdBy, Instant at) {
        Future<Void> checked = supersedes == null ? Future.succeededFuture()
                : tx.connection().preparedQuery(COLUMNS + "where c.id = $1 for update of c").execute(Tuple.of(supersedes))
                        .compose(rows -> {
                            List<Correction> found = corrections(rows);
                            if (found.isEmpty()) {
                                return Future.failedFuture(new PrivacyProblem(PrivacyProblem.Kind.NOT_FOUND,
                                        "no correction with id " + supersedes));
                            }
                            Correction old = found.get(0);
                            boolean sameTarget = old.scope().equals(scope) && java.util.Objects.equals(old.callId(), callId)
                                    && java.util.Objects.equals(old.subject(), subject);
                            if (!sameTarget) {
                                return Future.failedFuture(new PrivacyProblem(PrivacyProblem.Kind.CONFLICT,
                                        "correction " + supersedes + " concerns another call or caller"));
                            }
                            if (!old.current()) {
                                return Future.failedFuture(new PrivacyProblem(PrivacyProblem.Kind.CONFLICT,
                                        "correction " + supersedes + " was already amended by " + old.supersededBy()));
                            }
                            return Future.succeededFuture();
                        });
        return checked.compose(v -> tx.connection().preparedQuery("insert into correction (id, scope, call_id, subject, "
                                + "kind, statement, supersedes, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, "
                                + "$8, $9) returning *, null::uuid as superseded_by")
                        .execute(Tuple.wrap(Arrays.asList(UUID.randomUUID(), scope, callId, subject, kind, statement,
                                supersedes, createdBy, Sql.ts(at)))))
                .recover(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState())
                        ? Future.failedFuture(new PrivacyProblem(PrivacyProblem.Kind.CONFLICT,
                                "correction " + supersedes + " was amended concurrently"))
                        : Future.failedFuture(e))
                .map(rows -> corrections(rows).get(0));
    }

    /** Every statement (current and history) that applies to the call: on the call, or on its caller. Oldest first. */
    public Future<List<Correction>> forCall(UUID callId) {
        return pool.preparedQuery(COLUMNS + "where (c.scope = 'call' and c.call_id = $1) or (c.scope = 'subject' and "
                        + "c.subject in (select caller_subject from call where id = $1 union select subject from "
                        + "recording where call_id = $1)) order by c.created_at, c.id")
                .execute(Tuple.of(callId))
                .map(CorrectionRepository::corrections);
    }

    /** Every statement about the subject: on the subject, or on one of their calls. Oldest first. */
    public Future<List<Correction>> forSubject(String subject) {
        return pool.preparedQuery(COLUMNS + "where (c.scope = 'subject' and c.subject = $1) or (c.scope = 'call' and "
                        + "c.call_id in (select id from call where caller_subject = $1 union select call_id from "
                        + "recording where subject = $1)) order by c.created_at, c.id")
                .execute(Tuple.of(subject))
                .map(CorrectionRepository::corrections);
    }

    private static List<Correction> corrections(RowSet<Row> rows) {
        List<Correction> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Correction(r.getUUID("id"), r.getString("scope"), r.getUUID("call_id"), r.getString("subject"),
                    r.getString("kind"), r.getString("statement"), r.getUUID("supersedes"), r.getUUID("superseded_by"),
                    r.getString("created_by"), instant(r, "created_at")));
        }
        return out;
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
