package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.privacy.Breach;
import org.consentrecorder.privacy.BreachRepository;

/**
 * The breach register (GDPR Art. 33/34), compliance only: record a suspected breach, watch its 72-hour
 * clock to the supervisory authority, record the notification and the decision on informing the
 * callers, list what a compromised account reached from the audit trail, and print the whole as a
 * Markdown report. Every route is audited; changes in the same transaction as their audit row.
 */
final class BreachRoutes {
    static final List<String> RISKS = List.of("unlikely", "risk", "high_risk");
    static final List<String> DECISIONS = List.of("inform", "not_required");
    private final AdminApi api;

    BreachRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/breaches", Permission.MANAGE_BREACHES, "breaches.list", this::list),
                ApiRoute.of(HttpMethod.POST, "/breaches", Permission.MANAGE_BREACHES, "breaches.record", this::record),
                ApiRoute.of(HttpMethod.GET, "/breaches/overdue", Permission.MANAGE_BREACHES, "breaches.overdue",
                        this::overdue),
                ApiRoute.of(HttpMethod.GET, "/breaches/account-access", Permission.MANAGE_BREACHES,
                        "breaches.account_access", this::accountAccess),
                ApiRoute.of(HttpMethod.GET, "/breaches/:id", Permission.MANAGE_BREACHES, "breaches.read", this::read),
                ApiRoute.of(HttpMethod.POST, "/breaches/:id/authority-notification", Permission.MANAGE_BREACHES,
                        "breaches.authority_notified", this::authorityNotified),
                ApiRoute.of(HttpMethod.POST, "/breaches/:id/callers-decision", Permission.MANAGE_BREACHES,
                        "breaches.callers_decision", this::callersDecision),
                ApiRoute.of(HttpMethod.GET, "/breaches/:id/report", Permission.MANAGE_BREACHES, "breaches.report",
                        this::report));
    }

    JsonObject json(Breach b) {
        Instant now = api.clock().instant();
        Duration left = b.timeLeft(now);
        return new JsonObject().put("id", b.id().toString()).put("title", b.title())
                .put("discovered_at", Api.time(b.discoveredAt())).put("occurred_from", Api.time(b.occurredFrom()))
                .put("occurred_to", Api.time(b.occurredTo())).put("description", b.description())
                .put("data_affected", b.dataAffected()).put("callers_affected", b.callersAffected())
                .put("recordings_affected", b.recordingsAffected()).put("risk", b.risk())
                .put("risk_assessment", b.riskAssessment()).put("compromised_account", b.compromisedAccount())
                .put("notify_authority_by", Api.time(b.notifyBy()))
                .put("notification_status", b.notificationStatus(now))
                .put("seconds_left", left == null ? null : left.toSeconds())
                .put("authority_notified_at", Api.time(b.authorityNotifiedAt()))
                .put("authority_reference", b.authorityReference())
                .put("notification_delay_reason", b.notificationDelayReason())
                .put("callers_decision", b.callersDecision()).put("callers_decision_reason", b.callersDecisionReason())
                .put("callers_informed_at", Api.time(b.callersInformedAt())).put("recorded_by", b.recordedBy())
                .put("recorded_at", Api.time(b.recordedAt())).put("updated_at", Api.time(b.updatedAt()));
    }

    private void list(RoutingContext ctx) {
        listing(ctx, false);
    }

    private void overdue(RoutingContext ctx) {
        listing(ctx, true);
    }

    private void listing(RoutingContext ctx, boolean overdueOnly) {
        QueryInput q = QueryInput.of(ctx, "limit", "offset");
        int limit = q.limit();
        int offset = q.offset();
        Api.reply(ctx, api.auditAllowed(ctx, "breach", null, null, overdueOnly ? new JsonObject().put("overdue", true) : null)
                .compose(v -> api.privacy().breaches().list(overdueOnly, limit + 1, offset))
                .map(found -> {
                    JsonArray items = new JsonArray();
                    found.stream().limit(limit).forEach(b -> items.add(json(b)));
                    return Api.offsetPage(items, limit, offset, found.size() > limit);
                }));
    }

    private void read(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("breach id", ctx.pathParam("id"));
        Api.reply(ctx, api.auditAllowed(ctx, "breach", id.toString(), null, null)
                .compose(v -> found(id))
                .map(this::json));
    }

    private Future<Breach> found(UUID id) {
        return api.privacy().breaches().find(id)
                .map(b -> b.orElseThrow(() -> ApiError.notFound("no breach with id " + id)));
    }

    private static Instant time(JsonInput in, String field, boolean required) {
        Optional<String> raw = required ? Optional.of(in.requiredString(field)) : in.optionalString(field);
        return raw.map(v -> {
            try {
                return Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw ApiError.badRequest("field '" + field + "' must be a UTC time such as 2025-01-31T08:00:00Z");
            }
        }).orElse(null);
    }

    private static String text(JsonInput in, String field) {
        String v = in.requiredString(field).trim();
        if (v.length() < 3) {
            throw ApiError.badRequest("field '" + field + "' must say something (3 characters or more)");
        }
        return v;
    }

    private void record(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "title", "discovered_at", "occurred_from", "occurred_to", "description",
                "data_affected", "callers_affected", "recordings_affected", "risk", "risk_assessment",
                "compromised_account");
        Instant now = api.clock().instant();
        Instant discovered = time(in, "discovered_at", true);
        if (discovered.isAfter(now.plusSeconds(60))) {
            throw ApiError.badRequest("field 'discovered_at' is in the future");
        }
        Instant from = time(in, "occurred_from", false);
        Instant to = time(in, "occurred_to", false);
        if (from != null && to != null && to.isBefore(from)) {
            throw ApiError.badRequest("field 'occurred_to' is before 'occurred_from'");
        }
        String risk = in.requiredString("risk");
        if (!RISKS.contains(risk)) {
            throw ApiError.badRequest("field 'risk' must be one of " + RISKS);
        }
        BreachRepository.NewBreach b = new BreachRepository.NewBreach(text(in, "title"), discovered, from, to,
                text(in, "description"), text(in, "data_affected"),
                in.optionalInteger("callers_affected", 0, Integer.MAX_VALUE).orElse(null),
                in.optionalInteger("recordings_affected", 0, Integer.MAX_VALUE).orElse(null), risk,
                text(in, "risk_assessment"),
                in.optionalString("compromised_account").map(String::trim).filter(s -> !s.isEmpty()).orElse(null));
        api.<Breach>auditedChange(ctx, tx -> api.privacy().breaches().record(tx, b, Api.principal(ctx).describe(), now)
                        .map(saved -> new AdminApi.Change<>(saved, "breach", saved.id().toString(), new JsonObject()
                                .put("risk", risk).put("discovered_at", Api.time(discovered))
                                .put("notify_authority_by", Api.time(saved.notifyBy())))))
                .onSuccess(saved -> Api.json(ctx, 201, json(saved)))
                .onFailure(ctx::fail);
    }

    /** Body {@code {"notified_at", "reference", "delay_reason"}}; a notification after 72 hours must give the reasons (Art. 33(1)). */
    private void authorityNotified(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("breach id", ctx.pathParam("id"));
        JsonInput in = JsonInput.of(ctx, false, "notified_at", "reference", "delay_reason");
        Instant notified = time(in, "notified_at", true);
        String reference = text(in, "reference");
        Optional<String> delay = in.optionalString("delay_reason").map(String::trim).filter(s -> !s.isEmpty());
        Instant now = api.clock().instant();
        if (notified.isAfter(now.plusSeconds(60))) {
            throw ApiError.badRequest("field 'notified_at' is in the future");
        }
        found(id).compose(b -> {
                    if (notified.isBefore(b.discoveredAt())) {
                        throw ApiError.badRequest("field 'notified_at' is before the breach was discovered");
                    }
                    boolean late = notified.isAfter(b.notifyBy());
                    if (late && delay.isEmpty()) {
                        throw ApiError.badRequest("the notification came more than 72 hours after discovery: field "
                                + "'delay_reason' must give the reasons for the delay (GDPR Art. 33(1))");
                    }
                    return api.<Breach>auditedChange(ctx, tx -> api.privacy().breaches()
                            .authorityNotified(tx, id, notified, reference, delay.orElse(null), now)
                            .map(updated -> new AdminApi.Change<>(updated.orElseThrow(() -> ApiError.conflict(
                                    "the authority's notification of breach " + id + " is already recorded")),
                                    "breach", id.toString(), new JsonObject().put("notified_at", Api.time(notified))
                                    .put("late", late))));
                })
                .onSuccess(b -> Api.json(ctx, 200, json(b)))
                .onFailure(ctx::fail);
    }

    /** Body {@code {"decision": "inform"|"not_required", "reason", "informed_at"}} (Art. 34). */
    private void callersDecision(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("breach id", ctx.pathParam("id"));
        JsonInput in = JsonInput.of(ctx, false, "decision", "reason", "informed_at");
        String decision = in.requiredString("decision");
        if (!DECISIONS.contains(decision)) {
            throw ApiError.badRequest("field 'decision' must be one of " + DECISIONS);
        }
        String reason = text(in, "reason");
        Instant informed = time(in, "informed_at", false);
        if (informed != null && !decision.equals("inform")) {
            throw ApiError.badRequest("field 'informed_at' goes with decision 'inform' only");
        }
        api.<Breach>auditedChange(ctx, tx -> api.privacy().breaches()
                        .callersDecision(tx, id, decision, reason, informed, api.clock().instant())
                        .map(updated -> new AdminApi.Change<>(updated.orElseThrow(() ->
                                ApiError.notFound("no breach with id " + id)), "breach", id.toString(),
                                Api.compact(new JsonObject().put("decision", decision)
                                        .put("informed_at", Api.time(informed))))))
                .onSuccess(b -> Api.json(ctx, 200, json(b)))
                .onFailure(ctx::fail);
    }

    /** {@code ?account=&from=&to=}: what that account was served in [from, to), from the audit trail. */
    private void accountAccess(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "account", "from", "to");
        String account = q.string("account").orElseThrow(() ->
                ApiError.badRequest("query parameter 'account' is required (the username or token name)"));
        Instant[] range = q.timeRange();
        if (range[0] == null || range[1] == null) {
            throw ApiError.badRequest("query parameters 'from' and 'to' are required (the window of the compromise)");
        }
        JsonObject filters = new JsonObject().put("account", account).put("from", Api.time(range[0]))
                .put("to", Api.time(range[1]));
        Api.reply(ctx, api.auditAllowed(ctx, "account", null, null, filters)
                .compose(v -> api.accountAccess().trace(account, range[0], range[1]))
                .map(trace -> traceJson(account, range[0], range[1], trace)));
    }

    static JsonObject traceJson(String account, Instant from, Instant to, AccountAccessRepository.Trace trace) {
        JsonArray recordings = new JsonArray();
        JsonArray reached = new JsonArray();
        java.util.Set<String> callers = new java.util.TreeSet<>();
        for (AccountAccessRepository.Reached r : trace.reached()) {
            JsonObject item = new JsonObject().put("type", r.targetType()).put("id", r.targetId())
                    .put("caller", r.caller()).put("times", r.times()).put("first_at", Api.time(r.first()))
                    .put("last_at", Api.time(r.last()));
            reached.add(item);
            if (r.targetType().equals("recording")) {
                recordings.add(item);
            }
            if (r.caller() != null) {
                callers.add(r.caller());
            }
        }
        return new JsonObject().put("account", account).put("from", Api.time(from)).put("to", Api.time(to))
                .put("recordings", recordings).put("callers", new JsonArray(List.copyOf(callers)))
                .put("reached", reached).put("searches", trace.searches()).put("refused", trace.refused());
    }

    private void report(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("breach id", ctx.pathParam("id"));
        api.auditAllowed(ctx, "breach", id.toString(), null, new JsonObject().put("format", "markdown"))
                .compose(v -> found(id))
                .compose(b -> b.compromisedAccount() == null || b.occurredFrom() == null
                        ? Future.succeededFuture(BreachReport.markdown(json(b), null))
                        : api.accountAccess().trace(b.compromisedAccount(), b.occurredFrom(),
                                        b.occurredTo() == null ? api.clock().instant() : b.occurredTo())
                                .map(t -> BreachReport.markdown(json(b), traceJson(b.compromisedAccount(),
                                        b.occurredFrom(), b.occurredTo() == null ? api.clock().instant() : b.occurredTo(),
                                        t))))
                .onSuccess(md -> ctx.response().putHeader("content-type", "text/markdown; charset=utf-8")
                        .putHeader("content-disposition", "attachment; filename=\"breach-" + id + ".md\"").end(md))
                .onFailure(ctx::fail);
    }
}
