package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Daily statistics written as they are, without calls behind them: only the demo uses this, at the
 * first start of a fresh demo directory. {@link DailyStatistics} counts a day once it is over, so
 * without a history a newcomer would see no statistics in their first minute. The days written are
 * before today; today's real calls are aggregated after midnight UTC as usual (a day already in the
 * table is never overwritten, and none is written here that exists).
 */
public final class DemoStatisticsRepository {
    /** One day's figures, in the shape {@link DailyStatistics} computes them. */
    public record Day(LocalDate day, int calls, Map<String, Long> outcomes, int recordedCalls, int pauses,
                      long totalHandleMs) {
    }

    private DemoStatisticsRepository() {
    }

    /** Inserts the days not in the table yet; completes with the number inserted. */
    public static Future<Integer> write(Pool pool, List<Day> days, Clock clock) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        List<Tuple> rows = new ArrayList<>();
        for (Day d : days) {
            if (!d.day().isBefore(today)) {
                throw new IllegalArgumentException("only days before today can be history: " + d.day());
            }
            Long average = d.calls() == 0 ? null : Math.round((double) d.totalHandleMs() / d.calls());
            rows.add(Tuple.wrap(Arrays.asList(d.day(), d.calls(), new JsonObject(Map.copyOf(d.outcomes())),
                    d.recordedCalls(), d.pauses(), d.calls(), d.totalHandleMs(), average,
                    OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))));
        }
        if (rows.isEmpty()) {
            return Future.succeededFuture(0);
        }
        return pool.preparedQuery("insert into daily_call_stats (day, calls, outcomes, recorded_calls, pauses, "
                        + "calls_with_handle_time, total_handle_ms, avg_handle_ms, computed_at) "
                        + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (day) do nothing")
                .executeBatch(rows)
                .map(result -> {
                    int inserted = 0;
                    for (var r = result; r != null; r = r.next()) {
                        inserted += r.rowCount();
                    }
                    return inserted;
                });
    }
}
