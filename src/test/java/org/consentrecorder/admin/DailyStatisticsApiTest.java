package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.call.Outcome;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.Test;

/**
 * The anonymous daily aggregates match the calls they came from, are computed once per closed day
 * (not while a call of the day is still up), and survive the deletion of those calls.
 */
class DailyStatisticsApiTest {

    /** One call as the fixture writes it, and what the aggregate should make of it. */
    private record Call(int daysAgo, int minute, Integer handleSeconds, String outcome, String recording, int pauses) {
    }

    private static final List<Call> CALLS = List.of(
            new Call(3, 0, 120, "granted", "archived", 2),
            new Call(3, 5, 30, "declined", null, 0),
            new Call(3, 9, 60, "withdrawn", "discarded", 0),
            new Call(3, 20, 90, "granted", "archived", 1),
            new Call(4, 0, 10, "no_response", null, 0),
            new Call(4, 1, 5, "abandoned", null, 0),
            new Call(4, 2, null, null, null, 0),
            new Call(5, 0, 200, "granted", "archived", 0),
            new Call(5, 30, 15, "do_not_record", null, 0));

    private static OffsetDateTime noonOf(int daysAgo, int minute) {
        return LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo).atTime(12, minute).atOffset(ZoneOffset.UTC);
    }

    /** The expected row of one day, computed here from the fixture, independently of the SQL. */
    private static JsonObject expected(int daysAgo) {
        Map<String, Long> outcomes = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) {
            outcomes.put(o.wire(), 0L);
        }
        outcomes.put("none", 0L);
        long calls = 0;
        long recorded = 0;
        long pauses = 0;
        long ended = 0;
        long handleMs = 0;
        for (Call c : CALLS) {
            if (c.daysAgo() != daysAgo) {
                continue;
            }
            calls++;
            outcomes.merge(c.outcome() == null ? "none" : c.outcome(), 1L, Long::sum);
            if (c.recording() != null && !c.recording().equals("discarded")) {
                recorded++;
            }
            pauses += c.pauses();
            if (c.handleSeconds() != null) {
                ended++;
                handleMs += c.handleSeconds() * 1000L;
            }
        }
        return new JsonObject().put("day", LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo).toString())
                .put("calls", calls).put("outcomes", new JsonObject(new LinkedHashMap<>(outcomes)))
                .put("recorded_calls", recorded).put("pauses", pauses).put("calls_with_handle_time", ended)
                .put("total_handle_ms", handleMs).put("avg_handle_ms", ended == 0 ? null : Math.round((double) handleMs / ended));
    }

    private static JsonObject comparable(JsonObject row) {
        JsonObject o = new JsonObject();
        for (String k : List.of("day", "calls", "recorded_calls", "pauses", "calls_with_handle_time", "total_handle_ms",
                "avg_handle_ms")) {
            Object v = row.getValue(k);
            o.put(k, v instanceof Number n ? (Object) n.longValue() : v);
        }
        JsonObject outcomes = new JsonObject();
        row.getJsonObject("outcomes").forEach(e -> outcomes.put(e.getKey(), ((Number) e.getValue()).longValue()));
        return o.put("outcomes", outcomes);
    }

    @Test
    void theAggregatesMatchTheCalls_areComputedOncePerClosedDay_andSurviveDeletion() {
        try (AppHarness h = AppHarness.start(Map.of()); ApiClient client = new ApiClient(h.app.httpPort())) {
            RetentionFixtures f = new RetentionFixtures(h);
            List<UUID> ids = new ArrayList<>();
            for (Call c : CALLS) {
                OffsetDateTime start = noonOf(c.daysAgo(), c.minute());
                UUID id = f.call(c.daysAgo() == 5 && c.minute() == 30 ? null : "+1555444" + ids.size(), start,
                        c.handleSeconds() == null ? null : Duration.ofSeconds(c.handleSeconds()), c.outcome());
                if (c.recording() != null) {
                    f.recording(id, null, c.recording(), start.plusSeconds(1), 0);
                }
                for (int p = 0; p < c.pauses(); p++) {
                    f.timeline(id, "paused", start.plusSeconds(5 + p));
                    f.timeline(id, "resumed", start.plusSeconds(6 + p));
                }
                ids.add(id);
            }
            // not closed (today), and not finished (yesterday, a call still up): neither is aggregated yet
            f.call("+15554449998", OffsetDateTime.now(ZoneOffset.UTC), Duration.ofSeconds(1), "granted");
            f.call("+15554449999", noonOf(1, 0), null, "granted");

            String admin = ApiTestSupport.adminToken(client);
            String supervisor = ApiTestSupport.tokenFor(h, client, admin, "sam", "supervisor");
            JsonObject run = client.post("/api/v1/retention/runs", admin, null).json();
            assertEquals(3L, run.getJsonObject("counts").getLong("days_aggregated"), run.encode());

            JsonArray items = client.get("/api/v1/statistics/daily?from=" + LocalDate.now(ZoneOffset.UTC).minusDays(30),
                    supervisor).json().getJsonArray("items");
            assertEquals(3, items.size(), items.encodePrettily());
            for (int i = 0; i < 3; i++) {
                JsonObject row = items.getJsonObject(i);
                assertEquals(expected(5 - i), comparable(row), "day " + row.getString("day"));
            }
            JsonObject day3 = items.getJsonObject(2);
            assertEquals(0.5, day3.getJsonObject("outcome_rates").getDouble("granted"));
            assertTrue(day3.toString().matches("[^+]*"), "no caller numbers: " + day3);
            String computedAt = day3.getString("computed_at");

            // the calls go (as retention or erasure would take them); the statistics stay, never recomputed
            h.rows("delete from recording_timeline where call_id = any($1)", (Object) ids.toArray(new UUID[0]));
            h.rows("delete from recording where call_id = any($1)", (Object) ids.toArray(new UUID[0]));
            h.rows("delete from call where id = any($1)", (Object) ids.toArray(new UUID[0]));
            assertEquals(0L, client.post("/api/v1/retention/runs", admin, null).json().getJsonObject("counts")
                    .getLong("days_aggregated"));
            JsonArray after = client.get("/api/v1/statistics/daily", supervisor).json().getJsonArray("items");
            assertEquals(items.stream().map(o -> comparable((JsonObject) o)).toList(),
                    after.stream().map(o -> comparable((JsonObject) o)).toList());
            assertEquals(computedAt, after.getJsonObject(2).getString("computed_at"));
            assertEquals(400, client.get("/api/v1/statistics/daily?from=2025-13-01", supervisor).status());
            assertEquals(403, client.get("/api/v1/statistics/daily", ApiTestSupport.tokenFor(h, client, admin, "alf", "agent"))
                    .status());
        }
    }
}
