package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/**
 * Data-subject requests as they are tracked: kind (access or erasure), the subject, when it was
 * received, when it is due (one calendar month later by default, GDPR Art. 12(3)), its status,
 * who handled it and what was done. A request is overdue while it is open after its due date.
 */
public final class PrivacyRequests {
    public static final String ACCESS = "access";
    public static final String ERASURE = "erasure";
    /** Columns shown to operators; the erasure token links the anonymous rows of one erasure. */
    static final String COLUMNS = "id, kind, subject, received_at, due_at, status, note, created_by, created_at, "
            + "handled_by, completed_at, erasure_token, attempts, last_error, result, verification, "
            + "(status = 'open' and due_at < clock_timestamp()) as overdue";

    private final Period due;

    public PrivacyRequests(Period due) {
        this.due = due;
    }

    /** The due date: received plus the configured period in calendar terms (UTC). */
    public Instant dueAt(Instant received) {
        return received.atOffset(ZoneOffset.UTC).plus(due).toInstant();
    }

    public Future<Row> create(SqlClient tx, String kind, String subject, Instant receivedAt, String note,
                              String createdBy, Instant now) {
        UUID id = UUID.randomUUID();
        return tx.preparedQuery("insert into privacy_request (id, kind, subject, received_at, due_at, status, note, "
                        + "created_by, created_at) values ($1, $2, $3, $4, $5, 'open', $6, $7, $8) returning " + COLUMNS)
                .execute(Tuple.wrap(Arrays.asList(id, kind, subject, ts(receivedAt), ts(dueAt(receivedAt)), note,
                        createdBy, ts(now))))
                .map(rows -> rows.iterator().next());
    }

    public static Future<Optional<Row>> find(SqlClient client, UUID id) {
        return client.preparedQuery("select " + COLUMNS + " from privacy_request where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.<Row>empty() : Optional.of(rows.iterator().next()));
    }

    /** A page of requests, oldest due first; filters are optional. */
    public static Future<RowSet<Row>> list(SqlClient client, String status, String kind, boolean overdueOnly,
                                           int limit, int offset) {
        return client.preparedQuery("select " + COLUMNS + " from privacy_request "
                        + "where ($1::text is null or status = $1) and ($2::text is null or kind = $2) "
                        + "and (not $3 or (status = 'open' and due_at < clock_timestamp())) "
                        + "order by due_at, id limit $4 offset $5")
                .execute(Tuple.wrap(Arrays.asList(status, kind, overdueOnly, limit, offset)));
    }

    /** An access request was answered with an export bundle. */
    public static Future<Void> accessCompleted(SqlClient client, UUID id, String handledBy, JsonObject result,
                                               Instant at) {
        return client.preparedQuery("update privacy_request set status = 'completed', handled_by = $2, "
                        + "completed_at = $3, result = $4, last_error = null, attempts = attempts + 1 "
                        + "where id = $1 and kind = 'access'")
                .execute(Tuple.of(id, handledBy, ts(at), result))
                .mapEmpty();
    }

    public static Future<Void> failed(SqlClient client, UUID id, String error) {
        return client.preparedQuery("update privacy_request set last_error = $2, attempts = attempts + 1 where id = $1")
                .execute(Tuple.of(id, error))
                .mapEmpty();
    }

    static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i.truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                ZoneOffset.UTC);
    }
}
