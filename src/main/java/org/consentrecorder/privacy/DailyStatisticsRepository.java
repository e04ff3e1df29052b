package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consentrecorder.store.Tx;

/** The anonymous daily aggregates ({@code daily_call_stats}) and the queries over calls they are computed from. */
public final class DailyStatisticsRepository {
    /** Second key of the aggregation lock in {@link org.consentrecorder.store.SubjectLocks#NAMESPACE}'s sibling space. */
    private static final int JOB_NAMESPACE = 0x43520002;
    private static final int AGGREGATION_LOCK = 1;

    private final Pool pool;

    public DailyStatisticsRepository(Pool pool) {
        this.pool = pool;
    }

    /** One UTC day's aggregates; {@code outcomes} counts calls per outcome ("none": no outcome). */
    public record DayStats(LocalDate day, int calls, JsonObject outcomes, int recordedCalls, int pauses,
                           int callsWithHandleTime, long totalHandleMs, Long avgHandleMs, Instant computedAt) {
    }

    /** What a day's calls add up to, before the averages. */
    public record DayTotals(long calls, long withHandleTime, long handleMs, long recorded, long pauses) {
    }

    /** Instances take turns: the lock is held until the transaction ends. */
    public Future<Void> lockAggregation(Tx tx) {
        return tx.connection().preparedQuery("select pg_advisory_xact_lock($1, $2)")
                .execute(Tuple.of(JOB_NAMESPACE, AGGREGATION_LOCK))
                .mapEmpty();
    }

    /** Days before {@code today} with calls and after the last aggregated day, oldest first. */
    public Future<List<LocalDate>> daysToAggregate(Tx tx, LocalDate today, int maxDays) {
        return tx.connection().preparedQuery("select distinct (started_at at time zone 'UTC')::date as day from call "
                        + "where started_at < $1 and started_at >= coalesce((select (max(day) + 1)::timestamp "
                        + "at time zone 'UTC' from daily_call_stats), '-infinity'::timestamptz) order by day limit $2")
                .execute(Tuple.of(start(today), maxDays))
                .map(rows -> {
                    List<LocalDate> days = new ArrayList<>();
                    rows.forEach(r -> days.add(r.getLocalDate("day")));
                    return days;
                });
    }

    /** True when no call that began on the day is still going on. */
    public Future<Boolean> allCallsEnded(Tx tx, LocalDate day) {
        return tx.connection().preparedQuery("select not exists (select 1 from call where ended_at is null "
                        + "and started_at >= $1 and started_at < $2)")
                .execute(Tuple.of(start(day), start(day.plusDays(1))))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * The day's calls: how many, how many ended (and their handle time in ms), how many were recorded
     * (a recording neither discarded nor rejected) and how many pauses their recordings had.
     */
    public Future<DayTotals> totals(Tx tx, LocalDate day) {
        return tx.connection().preparedQuery("select count(*) as calls, "
                        + "count(*) filter (where c.ended_at is not null) as with_handle_time, "
                        + "coalesce(sum(round(extract(epoch from (c.ended_at - c.started_at)) * 1000)) "
                        + "filter (where c.ended_at is not null), 0)::bigint as handle_ms, "
                        + "count(*) filter (where exists (select 1 from recording r where r.call_id = c.id "
                        + "and r.state not in ('discarded', 'rejected'))) as recorded, "
                        + "(select count(*) from recording_timeline t join call c2 on c2.id = t.call_id "
                        + "where t.change = 'paused' and c2.started_at >= $1 and c2.started_at < $2) as pauses "
                        + "from call c where c.started_at >= $1 and c.started_at < $2")
                .execute(Tuple.of(start(day), start(day.plusDays(1))))
                .map(rows -> {
                    Row t = rows.iterator().next();
                    return new DayTotals(t.getLong("calls"), t.getLong("with_handle_time"), t.getLong("handle_ms"),
                            t.getLong("recorded"), t.getLong("pauses"));
                });
    }

    /** Calls per outcome on the day; calls without one count as "none". */
    public Future<Map<String, Long>> outcomeCounts(Tx tx, LocalDate day) {
        return tx.connection().preparedQuery("select coalesce(outcome, 'none') as outcome, count(*) as n "
                        + "from call where started_at >= $1 and started_at < $2 group by 1")
                .execute(Tuple.of(start(day), start(day.plusDays(1))))
                .map(rows -> {
                    Map<String, Long> counts = new LinkedHashMap<>();
                    rows.forEach(r -> counts.put(r.getString("outcome"), r.getLong("n")));
                    return counts;
                });
    }

    /** Inserts the day once; 0 when another instance was first. */
    public Future<Integer> insert(Tx tx, DayStats s) {
        return tx.connection().preparedQuery("insert into daily_call_stats (day, calls, outcomes, recorded_calls, "
                        + "pauses, calls_with_handle_time, total_handle_ms, avg_handle_ms, computed_at) "
                        + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (day) do nothing")
                .execute(Tuple.wrap(Arrays.asList(s.day(), s.calls(), s.outcomes(), s.recordedCalls(), s.pauses(),
                        s.callsWithHandleTime(), s.totalHandleMs(), s.avgHandleMs(),
                        OffsetDateTime.ofInstant(s.computedAt(), ZoneOffset.UTC))))
                .map(r -> r.rowCount());
    }

    /** Aggregated days in [from, to), oldest first, a page at a time. */
    public Future<List<DayStats>> days(LocalDate from, LocalDate to, int limit, int offset) {
        return pool.preparedQuery("select * from daily_call_stats where day >= $1 and day < $2 "
                        + "order by day limit $3 offset $4")
                .execute(Tuple.of(from, to, limit, offset))
                .map(rows -> {
                    List<DayStats> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new DayStats(r.getLocalDate("day"), r.getInteger("calls"), r.getJsonObject("outcomes"),
                                r.getInteger("recorded_calls"), r.getInteger("pauses"),
                                r.getInteger("calls_with_handle_time"), r.getLong("total_handle_ms"),
                                r.getLong("avg_handle_ms"), r.getOffsetDateTime("computed_at").toInstant()));
                    }
                    return out;
                });
    }

    static OffsetDateTime start(LocalDate day) {
        return day.atStartOfDay().atOffset(ZoneOffset.UTC);
    }
}
