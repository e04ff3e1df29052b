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

/** The breach register (Art. 33/34). Writes run inside the route's audited transaction. */
public final class BreachRepository {
    /** SQL: a breach whose notification to the authority is past its 72 hours. */
    public static final String OVERDUE = "authority_notified_at is null and risk <> 'unlikely' "
            + "and discovered_at + interval '72 hours' < clock_timestamp()";

    private final Pool pool;

    public BreachRepository(Pool pool) {
        this.pool = pool;
    }

    /** What is known when a breach is recorded. */
    public record NewBreach(String title, Instant discoveredAt, Instant occurredFrom, Instant occurredTo,
                            String description, String dataAffected, Integer callersAffected,
                            Integer recordingsAffected, String risk, String riskAssessment, String compromisedAccount) {
    }

    public Future<Breach> record(Tx tx, NewBreach b, String recordedBy, Instant at) {
        return tx.connection().preparedQuery("insert into breach (id, title, discovered_at, occurred_from, occurred_to, "
                        + "description, data_affected, callers_affected, recordings_affected, risk, risk_assessment, "
                        + "compromised_account, recorded_by, recorded_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, "
                        + "$8, $9, $10, $11, $12, $13, $14, $14) returning *")
                .execute(Tuple.wrap(Arrays.asList(UUID.randomUUID(), b.title(), Sql.ts(b.discoveredAt()),
                        Sql.ts(b.occurredFrom()), Sql.ts(b.occurredTo()), b.description(), b.dataAffected(),
                        b.callersAffected(), b.recordingsAffected(), b.risk(), b.riskAssessment(),
                        b.compromisedAccount(), recordedBy, Sql.ts(at))))
                .map(rows -> breaches(rows).get(0));
    }

    /** Records the notification to the authority once; empty when there is no such breach or it was already notified. */
    public Future<Optional<Breach>> authorityNotified(Tx tx, UUID id, Instant notifiedAt, String reference,
                                                      String delayReason, Instant at) {
        return tx.connection().preparedQuery("update breach set authority_notified_at = $2, authority_reference = $3, "
                        + "notification_delay_reason = $4, updated_at = $5 where id = $1 and authority_notified_at is null "
                        + "returning *")
                .execute(Tuple.of(id, Sql.ts(notifiedAt), reference, delayReason, Sql.ts(at)))
                .map(rows -> breaches(rows).stream().findFirst());
    }

    /** Records (or revises) the decision on informing the callers (Art. 34). */
    public Future<Optional<Breach>> callersDecision(Tx tx, UUID id, String decision, String reason, Instant informedAt,
                                                    Instant at) {
        return tx.connection().preparedQuery("update breach set callers_decision = $2, callers_decision_reason = $3, "
                        + "callers_informed_at = $4, updated_at = $5 where id = $1 returning *")
                .execute(Tuple.of(id, decision, reason, Sql.ts(informedAt), Sql.ts(at)))
                .map(rows -> breaches(rows).stream().findFirst());
    }

    public Future<Optional<Breach>> find(UUID id) {
        return pool.preparedQuery("select * from breach where id = $1").execute(Tuple.of(id))
                .map(rows -> breaches(rows).stream().findFirst());
    }

    /** Newest discovery first; only those past their 72 hours when {@code overdueOnly}. */
    public Future<List<Breach>> list(boolean overdueOnly, int limit, int offset) {
        return pool.preparedQuery("select * from breach where (not $1 or (" + OVERDUE + ")) "
                        + "order by discovered_at desc, id limit $2 offset $3")
                .execute(Tuple.of(overdueOnly, limit, offset))
                .map(BreachRepository::breaches);
    }

    private static List<Breach> breaches(RowSet<Row> rows) {
        List<Breach> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Breach(r.getUUID("id"), r.getString("title"), instant(r, "discovered_at"),
                    instant(r, "occurred_from"), instant(r, "occurred_to"), r.getString("description"),
                    r.getString("data_affected"), r.getInteger("callers_affected"), r.getInteger("recordings_affected"),
                    r.getString("risk"), r.getString("risk_assessment"), r.getString("compromised_account"),
                    instant(r, "authority_notified_at"), r.getString("authority_reference"),
                    r.getString("notification_delay_reason"), r.getString("callers_decision"),
                    r.getString("callers_decision_reason"), instant(r, "callers_informed_at"),
                    r.getString("recorded_by"), instant(r, "recorded_at"), instant(r, "updated_at")));
        }
        return out;
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
