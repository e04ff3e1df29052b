package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The second admin's side of {@link DutySeparation}: list the requests, approve one (which
 * carries it out in the same transaction) or refuse it. The admin who asked can do neither; the
 * database refuses it too. An approved API token is shown once, to the approving admin, who hands
 * it to the integration.
 */
final class ApprovalRoutes {
    private final AdminApi api;

    ApprovalRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/approvals", Permission.MANAGE_ACCOUNTS, "approvals.list", this::list),
                ApiRoute.of(HttpMethod.POST, "/approvals/:id/approve", Permission.MANAGE_ACCOUNTS, "approvals.approve",
                        ctx -> decide(ctx, true)),
                ApiRoute.of(HttpMethod.POST, "/approvals/:id/refuse", Permission.MANAGE_ACCOUNTS, "approvals.refuse",
                        ctx -> decide(ctx, false)));
    }

    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "status", "limit", "offset");
        String status = q.string("status").orElse("pending");
        if (!status.equals("pending") && !status.equals("all")) {
            throw ApiError.badRequest("parameter 'status' must be pending or all");
        }
        int limit = q.limit();
        int offset = q.offset();
        Api.reply(ctx, api.auditAllowed(ctx, "role_approval", null, null, null)
                .compose(v -> api.approvals().list(status.equals("pending"), limit + 1, offset))
                .map(rows -> {
                    JsonArray items = new JsonArray();
                    rows.stream().limit(limit).forEach(r -> items.add(r.toJson()));
                    return Api.offsetPage(items, limit, offset, rows.size() > limit);
                }));
    }

    /** What an approval produced: the request as decided, and a new API token to show once. */
    private record Decided(ApprovalRepository.Approval approval, UUID resultId, String token) {
    }

    private void decide(RoutingContext ctx, boolean approve) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("approval id", ctx.pathParam("id"));
        Principal me = Api.principal(ctx);
        api.<Decided>auditedChange(ctx, tx -> api.approvals().forDecision(tx, id).compose(found -> {
                    ApprovalRepository.Approval r = found.orElseThrow(() -> ApiError.notFound("no request with id " + id));
                    if (!r.status().equals("pending")) {
                        throw ApiError.conflict("the request was " + r.status() + " already");
                    }
                    if (r.requestedBy().equals(me.id())) {
                        throw new ApiError(403, "forbidden", "a second admin must decide: the admin who asked cannot");
                    }
                    Future<Decided> done = approve ? carryOut(tx, r, me) : Future.succeededFuture(new Decided(r, null, null));
                    return done.compose(d -> api.approvals().decide(tx, id, approve, me.id(), d.resultId()).map(d));
                }).map(d -> new AdminApi.Change<>(d, "role_approval", id.toString(), new JsonObject()
                        .put("kind", d.approval().kind().wire()).put("decision", approve ? "approved" : "refused")
                        .put("role", d.approval().role() == null ? null : d.approval().role().wire())
                        .put("requested_by", d.approval().requestedBy().toString())
                        .put("result_id", d.resultId() == null ? null : d.resultId().toString()))))
                .onSuccess(d -> {
                    JsonObject body = d.approval().toJson().put("status", approve ? "approved" : "refused")
                            .put("decided_by", me.id().toString())
                            .put("result_id", d.resultId() == null ? null : d.resultId().toString());
                    if (d.token() != null) {
                        body.put("token", d.token())
                                .put("note", "the token is shown only now; store it in the integration's secret store");
                    }
                    Api.json(ctx, 200, body);
                })
                .onFailure(ctx::fail);
    }

    private Future<Decided> carryOut(org.consentrecorder.store.Tx tx, ApprovalRepository.Approval r, Principal me) {
        String by = me.describe() + " (approved request " + r.id() + ")";
        java.time.Instant temporaryUntil = api.clock().instant().plus(DutySeparation.TEMPORARY_PASSWORD_TTL);
        return switch (r.kind()) {
            case ACCOUNT_CREATE -> api.accounts().create(tx, r.username(), r.passwordHash(), r.role(), by, temporaryUntil)
                    .map(a -> new Decided(r, a.id(), null));
            case API_TOKEN -> api.tokens().createApiToken(tx, r.tokenName(), r.role(),
                            api.clock().instant().plus(Duration.ofDays(r.expiresInDays())), by)
                    .map(t -> new Decided(r, t.id(), t.token()));
            case ACCOUNT_UPDATE -> api.accounts().lockActiveAdmins(tx).compose(admins -> api.accounts()
                    .byId(tx, r.accountId(), true).compose(found -> {
                        AccountRepository.Account a = found.orElseThrow(() ->
                                ApiError.conflict("the account of this request no longer exists"));
                        boolean losesAdmin = a.role() == Role.ADMIN && !a.disabled()
                                && (r.role() != Role.ADMIN || Boolean.TRUE.equals(r.disabled()));
                        if (losesAdmin && admins <= 1) {
                            throw ApiError.conflict("this is the last active admin: it cannot be disabled or given "
                                    + "another role");
                        }
                        if (a.id().equals(me.id())) {
                            throw new ApiError(403, "forbidden", "an admin cannot approve a change of their own account");
                        }
                        return api.accounts().update(tx, a.id(), r.role(), Boolean.TRUE.equals(r.disabled()),
                                        r.passwordHash(), temporaryUntil)
                                .compose(v -> api.tokens().revokeSessions(tx, a.id()))
                                .map(v -> new Decided(r, a.id(), null));
                    }));
        };
    }
}
