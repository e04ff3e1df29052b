package org.consentrecorder.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.consentrecorder.privacy.PrivacySettings;
import org.consentrecorder.privacy.ProcessingRegister;
import org.consentrecorder.privacy.DailyStatisticsRepository;
import org.consentrecorder.privacy.RetentionRepository;

/**
 * Reports that hold no personal data: the records of processing (from the running
 * configuration), the retention policy and the retention runs, the anonymous daily statistics;
 * and the one change here, running the retention job now (admin).
 */
final class PrivacyReportRoutes {
    private final AdminApi api;

    PrivacyReportRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/privacy/register", Permission.READ_PRIVACY_REPORTS, "privacy.register",
                        this::register),
                ApiRoute.of(HttpMethod.GET, "/retention/policy", Permission.READ_PRIVACY_REPORTS, "retention.policy",
                        this::policy),
                ApiRoute.of(HttpMethod.GET, "/retention/runs", Permission.READ_PRIVACY_REPORTS, "retention.runs",
                        this::runs),
                ApiRoute.of(HttpMethod.POST, "/retention/runs", Permission.MANAGE_RETENTION, "retention.run", this::run),
                ApiRoute.of(HttpMethod.GET, "/statistics/daily", Permission.READ_STATISTICS, "statistics.daily",
                        this::daily));
    }

    private void register(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "format");
        String format = q.oneOf("format", List.of("json", "markdown")).orElse("json");
        api.auditAllowed(ctx, "register", null, null, new JsonObject().put("format", format)).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            JsonObject register = ProcessingRegister.build(api.privacy().config(), Role.permissionTable(), api.clock().instant());
            if (format.equals("markdown")) {
                ctx.response().putHeader("content-type", "text/markdown; charset=utf-8")
                        .end(ProcessingRegister.markdown(register));
            } else {
                Api.json(ctx, 200, register);
            }
        });
    }

    private void policy(RoutingContext ctx) {
        QueryInput.of(ctx);
        PrivacySettings s = api.privacy().settings();
        Api.reply(ctx, api.auditAllowed(ctx, "retention", null, null, null).map(v -> new JsonObject()
                .put("recordings", period(s.retention().recordings()))
                .put("calls", period(s.retention().calls()))
                .put("evidence", period(s.retention().evidence()))
                .put("interval_seconds", s.retentionInterval().toSeconds())
                .put("batch", s.retentionBatch())
                .put("instance_id", s.instanceId())
                .put("configured_by", "environment (CR_RETENTION_*); a change takes effect at the next start")));
    }

    private static JsonObject period(Optional<java.time.Duration> d) {
        return new JsonObject().put("days", d.map(x -> x.toHours() / 24.0).orElse(null))
                .put("text", d.map(x -> x.toDays() + " days").orElse("kept until erased"));
    }

    private void runs(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "limit", "offset");
        int limit = q.limit();
        int offset = q.offset();
        Api.reply(ctx, api.auditAllowed(ctx, "retention", null, null, null)
                .compose(v -> api.privacy().retention().lastRuns(limit + 1, offset))
                .map(runs -> {
                    JsonArray items = new JsonArray();
                    runs.stream().limit(limit).forEach(r -> items.add(r.toJson()));
                    return Api.offsetPage(items, limit, offset, runs.size() > limit);
                }));
    }

    private void run(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput.of(ctx, true);
        Api.reply(ctx, api.auditAllowed(ctx, "retention", null, null, null)
                .compose(v -> api.privacy().retention().run("api:" + Api.principal(ctx).describe()))
                .onComplete(ar -> api.auditMore(ctx, "retention", ar.succeeded() ? ar.result().id().toString() : null,
                        null, ar.succeeded() ? ar.result().status() : "failed",
                        ar.succeeded() ? ar.result().counts() : null))
                .map(RetentionRepository.RetentionRun::toJson));
    }

    /** Query {@code from}/{@code to}: UTC days (YYYY-MM-DD), from inclusive, to exclusive. */
    private void daily(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "from", "to", "limit", "offset");
        LocalDate from = q.string("from").map(v -> day("from", v)).orElse(LocalDate.of(1970, 1, 1));
        LocalDate to = q.string("to").map(v -> day("to", v)).orElse(LocalDate.of(9999, 1, 1));
        int limit = q.limit();
        int offset = q.offset();
        Api.reply(ctx, api.auditAllowed(ctx, "statistics", null, null, null)
                .compose(v -> api.privacy().statistics().days(from, to, limit + 1, offset))
                .map(days -> {
                    JsonArray items = new JsonArray();
                    days.stream().limit(limit).forEach(d -> items.add(json(d)));
                    return Api.offsetPage(items, limit, offset, days.size() > limit);
                }));
    }

    /** Every column of the day, and each outcome's share of the day's calls (4 decimals). */
    static JsonObject json(DailyStatisticsRepository.DayStats d) {
        long calls = d.calls();
        JsonObject rates = new JsonObject();
        d.outcomes().forEach(e -> rates.put(e.getKey(), calls == 0 ? 0.0
                : Math.round(((Number) e.getValue()).doubleValue() / calls * 10_000) / 10_000.0));
        return new JsonObject().put("day", d.day().toString()).put("calls", d.calls()).put("outcomes", d.outcomes())
                .put("recorded_calls", d.recordedCalls()).put("pauses", d.pauses())
                .put("calls_with_handle_time", d.callsWithHandleTime()).put("total_handle_ms", d.totalHandleMs())
                .put("avg_handle_ms", d.avgHandleMs()).put("computed_at", Api.time(d.computedAt()))
                .put("outcome_rates", rates);
    }

    private static LocalDate day(String name, String v) {
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("query parameter '" + name + "' must be a day such as 2025-01-31");
        }
    }
}
