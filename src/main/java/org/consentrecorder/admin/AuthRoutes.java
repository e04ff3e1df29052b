package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login (user name and password for a short-lived session token), logout, and "who am I".
 * Failed logins are throttled per account and per source address before any hashing happens.
 */
final class AuthRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AuthRoutes.class);
    private static final String INVALID = "invalid user name or password";
    private final AdminApi api;

    AuthRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                new ApiRoute(HttpMethod.POST, "/auth/login", ApiRoute.Access.PUBLIC, null, "auth.login", true, this::login),
                new ApiRoute(HttpMethod.POST, "/auth/logout", ApiRoute.Access.AUTHENTICATED, null, "auth.logout", true, this::logout),
                new ApiRoute(HttpMethod.GET, "/auth/me", ApiRoute.Access.AUTHENTICATED, null, "auth.me", false, this::me));
    }

    private void login(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "username", "password");
        String username = Usernames.normalize(in.requiredString("username", 64));
        String password = in.requiredSecret("password", PasswordPolicy.MAX_LENGTH);
        String source = Api.source(ctx);
        Optional<Duration> wait = api.throttle().blocked(username, source);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            api.metrics().login(AdminMetrics.LoginResult.THROTTLED);
            LOG.warn("login refused: too many failures for the account or from {}", source);
            ctx.fail(new ApiError(429, "too_many_attempts", "too many failed logins for this account or from this address; "
                    + "try again in " + seconds + " s", new JsonObject().put("retry_after_seconds", seconds)));
            return;
        }
        Future<Optional<AccountRepository.Account>> found = Usernames.valid(username)
                ? api.accounts().byUsername(username) : Future.succeededFuture(Optional.empty());
        found.compose(account -> api.blocking(() -> {
                    if (account.isEmpty()) {
                        api.hasher().dummyVerify(password);
                        return false;
                    }
                    return api.hasher().verify(password, account.get().passwordHash());
                }).compose(ok -> {
                    if (ok && !account.get().disabled()) {
                        return session(ctx, account.get());
                    }
                    api.throttle().failed(username, source);
                    api.metrics().login(account.isEmpty() ? AdminMetrics.LoginResult.UNKNOWN_ACCOUNT
                            : ok ? AdminMetrics.LoginResult.ACCOUNT_DISABLED : AdminMetrics.LoginResult.WRONG_PASSWORD);
                    if (api.throttle().blocked(username, source).isPresent()) {
                        api.metrics().lockout();   // this failure reached a limit: the next try is refused
                    }
                    // unknown names are not written down: people type passwords into the user name field
                    AuditEntry failed = new AuditEntry(account.isPresent() ? "account" : "anonymous",
                            account.map(a -> a.id().toString()).orElse(null), account.map(a -> a.username()).orElse(null),
                            "auth.login", "account", account.map(a -> a.id().toString()).orElse(null), null, source,
                            "failed", new JsonObject().put("cause", account.isEmpty() ? "unknown_account"
                            : ok ? "account_disabled" : "wrong_password").encode());
                    return api.audit().append(failed).<JsonObject>transform(ar -> {
                        ctx.put(Api.AUDITED, true);
                        return Future.failedFuture(new ApiError(401, "unauthorized", INVALID));
                    });
                }))
                .onSuccess(body -> Api.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private Future<JsonObject> session(RoutingContext ctx, AccountRepository.Account account) {
        api.throttle().succeeded(account.username());
        return api.transactions().run(tx -> api.tokens().createSession(tx, account, api.config().tokenTtl())
                .compose(issued -> api.audit().append(tx, new AuditEntry("account", account.id().toString(),
                                account.username(), "auth.login", "account", account.id().toString(), null,
                                Api.source(ctx), "ok", new JsonObject().put("session", issued.id().toString()).encode()))
                        .map(seq -> new JsonObject()
                                .put("token", issued.token())
                                .put("token_type", "Bearer")
                                .put("expires_at", Api.time(issued.expiresAt()))
                                .put("expires_in", api.config().tokenTtl().toSeconds())
                                .put("username", account.username())
                                .put("role", account.role().wire()))))
                .onSuccess(v -> ctx.put(Api.AUDITED, true))
                .onSuccess(v -> api.metrics().login(AdminMetrics.LoginResult.SUCCESS));
    }

    private void logout(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput.of(ctx, true);
        Principal p = Api.principal(ctx);
        if (p.kind() != Principal.Kind.ACCOUNT) {
            throw ApiError.badRequest("an API token is not logged out; an admin revokes it with DELETE "
                    + AdminApi.BASE + "/tokens/{id}");
        }
        api.<Boolean>auditedChange(ctx, tx -> api.tokens().revoke(tx, p.tokenId(), "session")
                        .map(done -> new AdminApi.Change<>(done, "session", p.tokenId().toString(), null)))
                .onSuccess(v -> Api.noContent(ctx))
                .onFailure(ctx::fail);
    }

    private void me(RoutingContext ctx) {
        QueryInput.of(ctx);
        Principal p = Api.principal(ctx);
        JsonArray permissions = new JsonArray();
        Arrays.stream(Permission.values()).filter(p.role()::allows)
                .forEach(perm -> permissions.add(perm.name().toLowerCase()));
        Api.json(ctx, 200, new JsonObject().put("kind", p.kind().wire()).put("id", p.id().toString())
                .put("name", p.name()).put("role", p.role().wire()).put("permissions", permissions));
    }
}
