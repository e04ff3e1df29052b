package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.consentrecorder.call.Outcome;
import org.consentrecorder.store.Transactions;
import org.consentrecorder.store.Tx;

/**
 * Anonymous daily aggregates per UTC day: calls, outcome counts, recorded calls, pauses, total and
 * average handle time. No identifiers, so reports need no personal data and survive erasure and
 * retention. A day is computed once, when it is closed (and its calls have ended, or a further day
 * has passed), and never again: retention deletes a call only after its day is in the table, so a
 * day is never recomputed from partial data.
 */
public final class DailyStatistics {
    private final DailyStatisticsRepository rows;
    private final Transactions transactions;
    private final Clock clock;

    public DailyStatistics(Pool pool, Clock clock) {
        this.rows = new DailyStatisticsRepository(pool);
        this.transactions = new Transactions(pool);
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
        return transactions.run(tx -> rows.lockAggregation(tx)
                .compose(v -> rows.daysToAggregate(tx, today, maxDays))
                .compose(days -> aggregate(tx, days, 0, today, 0)));
    }

    /** Aggregated days in [from, to), oldest first, a page at a time. */
    public Future<List<DailyStatisticsRepository.DayStats>> days(LocalDate from, LocalDate to, int limit, int offset) {
        return rows.days(from, to, limit, offset);
    }

    /** Days in order; stops at the first that is not ready, so a later day never overtakes it. */
    private Future<Integer> aggregate(Tx tx, List<LocalDate> days, int index, LocalDate today, int added) {
        if (index == days.size()) {
            return Future.succeededFuture(added);
        }
        LocalDate day = days.get(index);
        return ready(tx, day, today).compose(ready -> !ready ? Future.succeededFuture(added)
                : compute(tx, day).compose(inserted -> aggregate(tx, days, index + 1, today, added + inserted)));
    }

    /** Closed, and either every call of the day has ended or the day before yesterday is over. */
    private Future<Boolean> ready(Tx tx, LocalDate day, LocalDate today) {
        if (day.plusDays(1).isBefore(today)) {
            return Future.succeededFuture(true);
        }
        return rows.allCallsEnded(tx, day);
    }

    private Future<Integer> compute(Tx tx, LocalDate day) {
        return rows.totals(tx, day).compose(t -> rows.outcomeCounts(tx, day).compose(counted -> {
            JsonObject outcomes = new JsonObject();
            for (Outcome o : Outcome.values()) {
                outcomes.put(o.wire(), 0L);
            }
            outcomes.put("none", 0L);
            counted.forEach(outcomes::put);
            Long average = t.withHandleTime() == 0 ? null : Math.round((double) t.handleMs() / t.withHandleTime());
            return rows.insert(tx, new DailyStatisticsRepository.DayStats(day, (int) t.calls(), outcomes,
                    (int) t.recorded(), (int) t.pauses(), (int) t.withHandleTime(), t.handleMs(), average,
                    clock.instant()));
        }));
    }
}
