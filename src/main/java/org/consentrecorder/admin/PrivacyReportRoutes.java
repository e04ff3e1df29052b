package org.consentrecorder.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.consentrecorder.privacy.PrivacySettings;
import org.consentrecorder.privacy.ProcessingRegister;
import org.consentrecorder.privacy.RowJson;

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
                .map(rows -> {
                    JsonArray items = new JsonArray();
                    rows.stream().limit(limit).forEach(items::add);
                    return Api.offsetPage(items, limit, offset, rows.size() > limit);
                }));
    }

    private void run(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput.of(ctx, true);
        Api.reply(ctx, api.auditAllowed(ctx, "retention", null, null, null)
                .compose(v -> api.privacy().retention().run("api:" + Api.principal(ctx).describe()))
                .onComplete(ar -> api.auditMore(ctx, "retention", ar.succeeded() ? ar.result().getString("id") : null,
                        null, ar.succeeded() ? ar.result().getString("status") : "failed",
                        ar.succeeded() ? ar.result().getJsonObject("counts") : null)));
    }

    /** Query {@code from}/{@code to}: UTC days (YYYY-MM-DD), from inclusive, to exclusive. */
    private void daily(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "from", "to", "limit", "offset");
        LocalDate from = q.string("from", 10).map(v -> day("from", v)).orElse(LocalDate.of(1970, 1, 1));
        LocalDate to = q.string("to", 10).map(v -> day("to", v)).orElse(LocalDate.of(9999, 1, 1));
        int limit = q.limit();
        int offset = q.offset();
        Api.reply(ctx, api.auditAllowed(ctx, "statistics", null, null, null)
                .compose(v -> api.pool().preparedQuery("select * from daily_call_stats where day >= $1 and day < $2 "
                                + "order by day limit $3 offset $4")
                        .execute(Tuple.of(from, to, limit + 1, offset)))
                .map(rows -> {
                    JsonArray items = new JsonArray();
                    for (Row r : rows) {
                        if (items.size() == limit) {
                            break;
                        }
                        JsonObject o = RowJson.row(r);
                        JsonObject outcomes = r.getJsonObject("outcomes");
                        long calls = r.getInteger("calls");
                        JsonObject rates = new JsonObject();
                        outcomes.forEach(e -> rates.put(e.getKey(), calls == 0 ? 0.0
                                : Math.round(((Number) e.getValue()).doubleValue() / calls * 10_000) / 10_000.0));
                        o.put("outcome_rates", rates);
                        items.add(o);
                    }
                    return Api.offsetPage(items, limit, offset, rows.size() > limit);
                }));
    }

    private static LocalDate day(String name, String v) {
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("query parameter '" + name + "' must be a day such as 2025-01-31");
        }
    }
}
