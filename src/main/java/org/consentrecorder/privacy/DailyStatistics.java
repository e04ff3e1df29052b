package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.consentrecorder.call.Outcome;

/**
 * Anonymous daily aggregates per UTC day: calls, outcome counts, recorded calls, pauses, total and
 * average handle time. No identifiers, so reports need no personal data and survive erasure and
 * retention. A day is computed once, when it is closed (and its calls have ended, or a further day
 * has passed), and never again: retention deletes a call only after its day is in the table, so a
 * day is never recomputed from partial data.
 */
public final class DailyStatistics {
    /** Second key of the aggregation lock in {@link org.consentrecorder.store.SubjectLocks#NAMESPACE}'s sibling space. */
    static final int JOB_NAMESPACE = 0x43520002;
    static final int AGGREGATION_LOCK = 1;

    private final Pool pool;
    private final Clock clock;

    public DailyStatistics(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /**
     * Aggregates up to {@code maxDays} closed days that are not aggregated yet, oldest first, in one
     * transaction under an advisory lock (instances take turns; a day is inserted once).
     *
     * @return the number of days this call added
     */
    public Future<Integer> aggregateClosedDays(int maxDays) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        return pool.withTransaction(tx -> tx.preparedQuery("select pg_advisory_xact_lock($1, $2)")
                .execute(Tuple.of(JOB_NAMESPACE, AGGREGATION_LOCK))
                .compose(v -> tx.preparedQuery("select distinct (started_at at time zone 'UTC')::date as day from call "
                                + "where started_at < $1 and started_at >= coalesce((select (max(day) + 1)::timestamp "
                                + "at time zone 'UTC' from daily_call_stats), '-infinity'::timestamptz) order by day limit $2")
                        .execute(Tuple.of(start(today), maxDays)))
                .compose(rows -> {
                    List<LocalDate> days = new ArrayList<>();
                    rows.forEach(r -> days.add(r.getLocalDate("day")));
                    return aggregate(tx, days, 0, today, 0);
                }));
    }

    /** Days in order; stops at the first that is not ready, so a later day never overtakes it. */
    private Future<Integer> aggregate(SqlConnection tx, List<LocalDate> days, int index, LocalDate today, int added) {
        if (index == days.size()) {
            return Future.succeededFuture(added);
        }
        LocalDate day = days.get(index);
        return ready(tx, day, today).compose(ready -> !ready ? Future.succeededFuture(added)
                : compute(tx, day).compose(inserted -> aggregate(tx, days, index + 1, today, added + inserted)));
    }

    /** Closed, and either every call of the day has ended or the day before yesterday is over. */
    private Future<Boolean> ready(SqlConnection tx, LocalDate day, LocalDate today) {
        if (day.plusDays(1).isBefore(today)) {
            return Future.succeededFuture(true);
        }
        return tx.preparedQuery("select not exists (select 1 from call where ended_at is null "
                        + "and started_at >= $1 and started_at < $2)")
                .execute(Tuple.of(start(day), start(day.plusDays(1))))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    private Future<Integer> compute(SqlConnection tx, LocalDate day) {
        Tuple range = Tuple.of(start(day), start(day.plusDays(1)));
        Future<Row> totals = tx.preparedQuery("select count(*) as calls, "
                        + "count(*) filter (where c.ended_at is not null) as with_handle_time, "
                        + "coalesce(sum(round(extract(epoch from (c.ended_at - c.started_at)) * 1000)) "
                        + "filter (where c.ended_at is not null), 0)::bigint as handle_ms, "
                        + "count(*) filter (where exists (select 1 from recording r where r.call_id = c.id "
                        + "and r.state not in ('discarded', 'rejected'))) as recorded, "
                        + "(select count(*) from recording_timeline t join call c2 on c2.id = t.call_id "
                        + "where t.change = 'paused' and c2.started_at >= $1 and c2.started_at < $2) as pauses "
                        + "from call c where c.started_at >= $1 and c.started_at < $2")
                .execute(range).map(rows -> rows.iterator().next());
        return totals.compose(t -> tx.preparedQuery("select coalesce(outcome, 'none') as outcome, count(*) as n "
                                + "from call where started_at >= $1 and started_at < $2 group by 1")
                        .execute(range)
                        .compose(outcomeRows -> {
                            JsonObject outcomes = new JsonObject();
                            for (Outcome o : Outcome.values()) {
                                outcomes.put(o.wire(), 0L);
                            }
                            outcomes.put("none", 0L);
                            outcomeRows.forEach(r -> outcomes.put(r.getString("outcome"), r.getLong("n")));
                            long withHandleTime = t.getLong("with_handle_time");
                            long handleMs = t.getLong("handle_ms");
                            Long average = withHandleTime == 0 ? null : Math.round((double) handleMs / withHandleTime);
                            return tx.preparedQuery("insert into daily_call_stats (day, calls, outcomes, recorded_calls, "
                                            + "pauses, calls_with_handle_time, total_handle_ms, avg_handle_ms, computed_at) "
                                            + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (day) do nothing")
                                    .execute(Tuple.wrap(java.util.Arrays.asList(day, t.getLong("calls").intValue(),
                                            outcomes, t.getLong("recorded").intValue(), t.getLong("pauses").intValue(),
                                            (int) withHandleTime, handleMs, average,
                                            OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))))
                                    .map(r -> r.rowCount());
                        }));
    }

    static OffsetDateTime start(LocalDate day) {
        return day.atStartOfDay().atOffset(ZoneOffset.UTC);
    }
}
