package org.consentrecorder.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * API tokens for integrations (admin only). A token is shown once, in the answer to its creation;
 * only its SHA-256 is stored. It carries its own role, never admin: a leaked long-lived token
 * must not be able to create accounts. A token with a role other than agent waits for a second
 * admin's approval ({@link DutySeparation}); the approving admin receives it. Every token expires ({@value #DEFAULT_DAYS} days unless asked,
 * at most {@value #MAX_DAYS}).
 */
final class TokenRoutes {
    /** Every API token expires: a forgotten integration's token must not stay valid for ever. */
    static final int DEFAULT_DAYS = 90;
    static final int MAX_DAYS = 365;

    private final AdminApi api;

    TokenRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/tokens", Permission.MANAGE_TOKENS, "tokens.list", this::list),
                ApiRoute.of(HttpMethod.POST, "/tokens", Permission.MANAGE_TOKENS, "tokens.create", this::create),
                ApiRoute.of(HttpMethod.DELETE, "/tokens/:id", Permission.MANAGE_TOKENS, "tokens.revoke", this::revoke));
    }

    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "limit", "offset");
        int limit = q.limit();
        int offset = q.offset();
        Api.reply(ctx, api.auditAllowed(ctx, "api_token", null, null, null)
                .compose(v -> api.tokens().listApiTokens(limit + 1, offset))
                .map(tokens -> {
                    JsonArray items = new JsonArray();
                    tokens.stream().limit(limit).forEach(t -> items.add(json(t)));
                    return Api.offsetPage(items, limit, offset, tokens.size() > limit);
                }));
    }

    static JsonObject json(TokenRepository.ApiToken t) {
        return new JsonObject().put("id", t.id().toString()).put("name", t.name()).put("role", t.role().wire())
                .put("created_at", Api.time(t.createdAt())).put("created_by", t.createdBy())
                .put("expires_at", Api.time(t.expiresAt())).put("revoked_at", Api.time(t.revokedAt()))
                .put("last_used_at", Api.time(t.lastUsedAt()));
    }

    private void create(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "name", "role", "expires_in_days", "endpoints");
        String name = in.requiredString("name").trim();
        if (name.isEmpty() || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw ApiError.badRequest("field 'name' must be 1 to 100 printable ASCII characters");
        }
        Role role = in.optionalRole("role").orElseThrow(() -> ApiError.badRequest("field 'role' is required"));
        if (role == Role.ADMIN) {
            throw ApiError.badRequest("field 'role': API tokens cannot have the admin role; use an operator account");
        }
        int days = in.optionalInteger("expires_in_days", 1, MAX_DAYS).orElse(DEFAULT_DAYS);
        List<String> endpoints = AgentScope.parse(in.optionalArray("endpoints").orElse(null));
        if (!endpoints.isEmpty() && role != Role.AGENT) {
            throw ApiError.badRequest("field 'endpoints' binds an agent to its calls; other roles have none");
        }
        Instant expires = api.clock().instant().plus(Duration.ofDays(days));
        Principal me = Api.principal(ctx);
        String by = me.describe();
        if (DutySeparation.needsSecondAdmin(role)) {
            api.<ApprovalRepository.Approval>auditedChange(ctx, tx -> api.accounts().countOtherActiveAdmins(tx, me.id())
                            .compose(others -> {
                                if (others == 0) {
                                    throw DutySeparation.singleAdmin();
                                }
                                return api.approvals().request(tx, ApprovalRepository.Kind.API_TOKEN, null, null, name,
                                        role, null, null, days, me.id());
                            })
                            .map(r -> new AdminApi.Change<>(r, "role_approval", r.id().toString(), new JsonObject()
                                    .put("kind", r.kind().wire()).put("name", name).put("role", role.wire())
                                    .put("expires_in_days", days))))
                    .onSuccess(r -> Api.json(ctx, 202, r.toJson()))
                    .onFailure(ctx::fail);
            return;
        }
        api.<TokenRepository.IssuedToken>auditedChange(ctx, tx -> api.tokens().createApiToken(tx, name, role, expires, by,
                                endpoints)
                        .map(t -> new AdminApi.Change<>(t, "api_token", t.id().toString(),
                                new JsonObject().put("name", name).put("role", role.wire())
                                        .put("endpoints", new JsonArray(new java.util.ArrayList<Object>(endpoints)))
                                        .put("expires_at", Api.time(expires)))))
                .onSuccess(t -> Api.json(ctx, 201, new JsonObject()
                        .put("id", t.id().toString())
                        .put("token", t.token())
                        .put("name", name)
                        .put("role", role.wire())
                        .put("endpoints", new JsonArray(new java.util.ArrayList<Object>(endpoints)))
                        .put("created_at", Api.time(t.createdAt()))
                        .put("expires_at", Api.time(t.expiresAt()))
                        .put("note", "the token is shown only now; store it in your integration's secret store")))
                .onFailure(ctx::fail);
    }

    private void revoke(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("token id", ctx.pathParam("id"));
        api.<Boolean>auditedChange(ctx, tx -> api.tokens().revoke(tx, id, "api").map(done -> {
                    if (!done) {
                        throw ApiError.notFound("no active API token with id " + id);
                    }
                    return new AdminApi.Change<>(true, "api_token", id.toString(), null);
                }))
                .onSuccess(v -> {
                    api.playbackTickets().revokeToken(id);
                    Api.noContent(ctx);
                })
                .onFailure(ctx::fail);
    }
}
