package org.consentrecorder.archive;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.archive.QuarantinedRecording.Status;
import org.consentrecorder.store.Sql;

/**
 * The SQL of the quarantine ({@code recording_quarantine} and its append-only decisions), apart
 * from {@link ArchiveRepository} because it is a table of its own with its own life: it holds what
 * the archive does not understand, not what it archives. Every status change is conditional on the
 * status it expects, so two instances (or two operators) cannot both make it.
 */
final class QuarantineRepository {
    private static final String SELECT = "select q.*, d.decision, d.decided_by, d.reason, d.automatic, d.decided_at "
            + "from recording_quarantine q left join lateral (select * from recording_quarantine_decision x "
            + "where x.name = q.name order by x.id desc limit 1) d on true ";

    private final Pool pool;

    QuarantineRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Quarantines a recording, or quarantines it again when its call had come back and has gone
     * again. True only for the call that put it there, so it is reported once.
     */
    Future<Boolean> hold(String server, String name, UUID callId, String format, Instant at) {
        return pool.preparedQuery("insert into recording_quarantine (name, call_id, format, found_at, status, server) "
                        + "values ($1, $2, $3, $4, $5, $7) on conflict (name) do update set status = excluded.status, "
                        + "found_at = excluded.found_at, server = excluded.server, updated_at = clock_timestamp() "
                        + "where recording_quarantine.status = $6")
                .execute(Tuple.of(name, callId, format, Sql.ts(at), Status.HELD.wire(), Status.RELEASED.wire(), server))
                .map(rows -> rows.rowCount() == 1);
    }

    Future<Optional<QuarantinedRecording>> find(String name, Duration grace) {
        return pool.preparedQuery(SELECT + "where q.name = $1").execute(Tuple.of(name))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(row(rows.iterator().next(), grace)));
    }

    /** Newest first, at most {@code limit} from {@code offset}; an empty set means every status. */
    Future<List<QuarantinedRecording>> list(Set<Status> statuses, int limit, int offset, Duration grace) {
        String[] wanted = (statuses.isEmpty() ? Set.of(Status.values()) : statuses).stream()
                .map(Status::wire).toArray(String[]::new);
        return pool.preparedQuery(SELECT + "where q.status = any($1) order by q.found_at desc, q.name limit $2 offset $3")
                .execute(Tuple.of(wanted, limit, offset))
                .map(rows -> rows(rows, grace));
    }

    /** Held since {@code cutoff} or longer: what the grace period may delete. */
    Future<List<QuarantinedRecording>> heldSince(Instant cutoff, Duration grace) {
        return pool.preparedQuery(SELECT + "where q.status = $1 and q.found_at <= $2 order by q.found_at")
                .execute(Tuple.of(Status.HELD.wire(), Sql.ts(cutoff)))
                .map(rows -> rows(rows, grace));
    }

    /**
     * Writes a decision and moves the status to what it decides ({@code deleting} or {@code kept}),
     * in one transaction, if the status is one of {@code from}. False when it was not (nothing written).
     */
    Future<Boolean> decide(String name, QuarantineDecision decision, Set<Status> from) {
        Status to = decision.kind() == QuarantineDecision.Kind.DELETE ? Status.DELETING : Status.KEPT;
        String[] allowed = from.stream().map(Status::wire).toArray(String[]::new);
        return pool.withTransaction(tx -> tx.preparedQuery("update recording_quarantine set status = $2, "
                        + "updated_at = clock_timestamp() where name = $1 and status = any($3)")
                .execute(Tuple.of(name, to.wire(), allowed))
                .compose(updated -> updated.rowCount() == 0 ? Future.succeededFuture(false)
                        : tx.preparedQuery("insert into recording_quarantine_decision (name, decision, decided_by, "
                                        + "reason, automatic, decided_at) values ($1, $2, $3, $4, $5, $6)")
                                .execute(Tuple.of(name, decision.kind().wire(), decision.decidedBy(), decision.reason(),
                                        decision.automatic(), Sql.ts(decision.decidedAt())))
                                .map(true)));
    }

    /** Asterisk confirmed the deletion (or had no file any more). */
    Future<Void> deleted(String name, Instant at) {
        return pool.preparedQuery("update recording_quarantine set status = $2, deleted_at = coalesce(deleted_at, $3), "
                        + "updated_at = clock_timestamp() where name = $1 and status in ($4, $2)")
                .execute(Tuple.of(name, Status.DELETED.wire(), Sql.ts(at), Status.DELETING.wire()))
                .mapEmpty();
    }

    /** Its call is known again: out of quarantine. False when it was not open. */
    Future<Boolean> release(String name) {
        return pool.preparedQuery("update recording_quarantine set status = $2, updated_at = clock_timestamp() "
                        + "where name = $1 and status in ($3, $4)")
                .execute(Tuple.of(name, Status.RELEASED.wire(), Status.HELD.wire(), Status.KEPT.wire()))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Every decision about one recording, oldest first. */
    Future<List<QuarantineDecision>> decisions(String name) {
        return pool.preparedQuery("select * from recording_quarantine_decision where name = $1 order by id")
                .execute(Tuple.of(name))
                .map(rows -> {
                    List<QuarantineDecision> out = new ArrayList<>();
                    rows.forEach(r -> out.add(decision(r)));
                    return out;
                });
    }

    private static List<QuarantinedRecording> rows(RowSet<Row> rows, Duration grace) {
        List<QuarantinedRecording> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(row(r, grace)));
        return out;
    }

    private static QuarantinedRecording row(Row r, Duration grace) {
        Status status = Status.fromWire(r.getString("status"));
        Instant foundAt = Sql.instant(r.getOffsetDateTime("found_at"));
        Instant deleteAfter = status == Status.HELD && !grace.isZero() ? foundAt.plus(grace) : null;
        return new QuarantinedRecording(r.getString("name"), r.getUUID("call_id"), r.getString("format"), foundAt,
                status, deleteAfter, Sql.instant(r.getOffsetDateTime("deleted_at")),
                r.getString("decision") == null ? null : decision(r), r.getString("server"));
    }

    private static QuarantineDecision decision(Row r) {
        return new QuarantineDecision(QuarantineDecision.Kind.fromWire(r.getString("decision")), r.getString("decided_by"),
                r.getString("reason"), r.getBoolean("automatic"), Sql.instant(r.getOffsetDateTime("decided_at")));
    }
}
