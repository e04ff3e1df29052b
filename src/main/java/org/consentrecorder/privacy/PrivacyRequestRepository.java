package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
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

/** Data-subject requests in PostgreSQL (table {@code privacy_request} of V20). */
public final class PrivacyRequestRepository {
    /** Every column, and whether the request is overdue now (by the database's clock). */
    private static final String COLUMNS = "id, kind, subject, received_at, due_at, status, note, created_by, created_at, "
            + "handled_by, completed_at, erasure_token, attempts, last_error, result, verification, "
            + "(status = 'open' and due_at < clock_timestamp()) as overdue";

    private final Pool pool;

    public PrivacyRequestRepository(Pool pool) {
        this.pool = pool;
    }

    /** A new open request, in the transaction that writes its audit row. */
    public Future<PrivacyRequest> create(Tx tx, String kind, String subject, Instant receivedAt, Instant dueAt,
                                         String note, String createdBy, Instant now) {
        return tx.connection().preparedQuery("insert into privacy_request (id, kind, subject, received_at, due_at, "
                        + "status, note, created_by, created_at) values ($1, $2, $3, $4, $5, 'open', $6, $7, $8) "
                        + "returning " + COLUMNS)
                .execute(Tuple.wrap(Arrays.asList(UUID.randomUUID(), kind, subject, Sql.ts(receivedAt), Sql.ts(dueAt),
                        note, createdBy, Sql.ts(now))))
                .map(rows -> requests(rows).get(0));
    }

    public Future<Optional<PrivacyRequest>> find(UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from privacy_request where id = $1").execute(Tuple.of(id))
                .map(rows -> requests(rows).stream().findFirst());
    }

    /** A page of requests, oldest due first; filters are optional (null). */
    public Future<List<PrivacyRequest>> list(String status, String kind, boolean overdueOnly, int limit, int offset) {
        return pool.preparedQuery("select " + COLUMNS + " from privacy_request "
                        + "where ($1::text is null or status = $1) and ($2::text is null or kind = $2) "
                        + "and (not $3 or (status = 'open' and due_at < clock_timestamp())) "
                        + "order by due_at, id limit $4 offset $5")
                .execute(Tuple.wrap(Arrays.asList(status, kind, overdueOnly, limit, offset)))
                .map(PrivacyRequestRepository::requests);
    }

    /** An access request was answered with an export bundle. */
    public Future<Void> accessCompleted(UUID id, String handledBy, JsonObject result, Instant at) {
        return pool.preparedQuery("update privacy_request set status = 'completed', handled_by = $2, "
                        + "completed_at = $3, result = $4, last_error = null, attempts = attempts + 1 "
                        + "where id = $1 and kind = 'access'")
                .execute(Tuple.of(id, handledBy, Sql.ts(at), result))
                .mapEmpty();
    }

    /** An attempt that did not finish: the request stays as it was, with the error and one attempt more. */
    public Future<Void> failed(UUID id, String error) {
        return pool.preparedQuery("update privacy_request set last_error = $2, attempts = attempts + 1 where id = $1")
                .execute(Tuple.of(id, error))
                .mapEmpty();
    }

    /**
     * The outcome of an erasure run: status, what was done and found, and the subject the request
     * keeps from now on (the erasure token once nothing else needs the number).
     */
    public Future<PrivacyRequest> erasureFinished(UUID id, String status, String handledBy, Instant completedAt,
                                                  JsonObject result, JsonObject verification, String storedSubject) {
        return pool.preparedQuery("update privacy_request set status = $2, handled_by = $3, completed_at = $4, "
                        + "result = $5, verification = $6, last_error = null, attempts = attempts + 1, subject = $7 "
                        + "where id = $1 returning " + COLUMNS)
                .execute(Tuple.wrap(Arrays.asList(id, status, handledBy, Sql.ts(completedAt), result, verification,
                        storedSubject)))
                .map(rows -> requests(rows).get(0));
    }

    private static List<PrivacyRequest> requests(RowSet<Row> rows) {
        List<PrivacyRequest> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new PrivacyRequest(r.getUUID("id"), r.getString("kind"), r.getString("subject"),
                    instant(r, "received_at"), instant(r, "due_at"), r.getString("status"), r.getString("note"),
                    r.getString("created_by"), instant(r, "created_at"), r.getString("handled_by"),
                    instant(r, "completed_at"), r.getString("erasure_token"), r.getInteger("attempts"),
                    r.getString("last_error"), r.getJsonObject("result"),
                    r.getJsonObject("verification"), r.getBoolean("overdue")));
        }
        return out;
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
