package org.consentrecorder.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * API tokens for integrations (admin only). A token is shown once, in the answer to its creation;
 * only its SHA-256 is stored. It carries its own role, never admin: a leaked long-lived token
 * must not be able to create accounts.
 */
final class TokenRoutes {
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
                .compose(v -> api.pool().preparedQuery("select id, name, role, created_at, created_by, expires_at, "
                                + "revoked_at, last_used_at from access_token where kind = 'api' "
                                + "order by created_at desc, id limit $1 offset $2")
                        .execute(Tuple.of(limit + 1, offset)))
                .map(rows -> Api.offsetPage(Api.rows(rows, Set.of(), limit), limit, offset, rows.size() > limit)));
    }

    private void create(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "name", "role", "expires_in_days");
        String name = in.requiredString("name", 100).trim();
        if (name.isEmpty() || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw ApiError.badRequest("field 'name' must be 1 to 100 printable ASCII characters");
        }
        Role role = in.optionalRole("role").orElseThrow(() -> ApiError.badRequest("field 'role' is required"));
        if (role == Role.ADMIN) {
            throw ApiError.badRequest("field 'role': API tokens cannot have the admin role; use an operator account");
        }
        Instant expires = in.optionalInteger("expires_in_days", 1, 3650)
                .map(days -> api.clock().instant().plus(Duration.ofDays(days))).orElse(null);
        String by = Api.principal(ctx).describe();
        api.<AccountStore.IssuedToken>auditedChange(ctx, tx -> api.accounts().createApiToken(tx, name, role, expires, by)
                        .map(t -> new AdminApi.Change<>(t, "api_token", t.id().toString(),
                                new JsonObject().put("name", name).put("role", role.wire())
                                        .put("expires_at", Api.time(expires)))))
                .onSuccess(t -> Api.json(ctx, 201, new JsonObject()
                        .put("id", t.id().toString())
                        .put("token", t.token())
                        .put("name", name)
                        .put("role", role.wire())
                        .put("created_at", Api.time(t.createdAt()))
                        .put("expires_at", Api.time(t.expiresAt()))
                        .put("note", "the token is shown only now; store it in your integration's secret store")))
                .onFailure(ctx::fail);
    }

    private void revoke(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("token id", ctx.pathParam("id"));
        api.<Boolean>auditedChange(ctx, tx -> api.accounts().revoke(tx, id, "api").map(done -> {
                    if (!done) {
                        throw ApiError.notFound("no active API token with id " + id);
                    }
                    return new AdminApi.Change<>(true, "api_token", id.toString(), null);
                }))
                .onSuccess(v -> Api.noContent(ctx))
                .onFailure(ctx::fail);
    }
}
