package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Operator accounts (admin only): list, create, read, change role, disable, reset password, unlock,
 * reset the second factor. List and read say whether the account has a confirmed second factor. A
 * password an admin sets is temporary: the account sets its own at its next sign-in. Creating an
 * account with, or promoting one to, a role other than agent, and resetting such an account's
 * password, wait for a second admin's approval ({@link DutySeparation}, {@link ApprovalRoutes}).
 */
final class AccountRoutes {
    private final AdminApi api;

    AccountRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.of(HttpMethod.GET, "/accounts", Permission.MANAGE_ACCOUNTS, "accounts.list", this::list),
                ApiRoute.of(HttpMethod.POST, "/accounts", Permission.MANAGE_ACCOUNTS, "accounts.create", this::create),
                ApiRoute.of(HttpMethod.GET, "/accounts/:id", Permission.MANAGE_ACCOUNTS, "accounts.read", this::read),
                ApiRoute.of(HttpMethod.PATCH, "/accounts/:id", Permission.MANAGE_ACCOUNTS, "accounts.update", this::update),
                ApiRoute.of(HttpMethod.POST, "/accounts/:id/unlock", Permission.MANAGE_ACCOUNTS, "accounts.unlock",
                        this::unlock),
                ApiRoute.of(HttpMethod.POST, "/accounts/:id/mfa-reset", Permission.MANAGE_ACCOUNTS, "accounts.mfa_reset",
                        this::mfaReset));
    }

    /** Lifts the lock that many failed logins put on the account, and clears its login counters. */
    private void unlock(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("account id", ctx.pathParam("id"));
        String reason = JsonInput.of(ctx, false, "reason").requiredString("reason");
        api.<Boolean>auditedChange(ctx, reason, tx -> api.accounts().byId(tx, id, true).compose(found -> {
                    AccountRepository.Account a = found.orElseThrow(() -> ApiError.notFound("no account with id " + id));
                    return api.accounts().unlock(tx, id)
                            .compose(was -> api.throttleCounters().clearAccount(tx, a.username()).map(was))
                            .map(was -> new AdminApi.Change<>(was, "account", id.toString(),
                                    new JsonObject().put("username", a.username()).put("was_locked", was)));
                }))
                .compose(v -> api.accounts().byId(id))
                .onSuccess(a -> Api.json(ctx, 200, a.orElseThrow().toJson()))
                .onFailure(ctx::fail);
    }

    /**
     * Removes the account's second factor (lost phone and recovery codes) and ends its sessions;
     * its next sign-in enrols a new one.
     */
    private void mfaReset(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("account id", ctx.pathParam("id"));
        String reason = JsonInput.of(ctx, false, "reason").requiredString("reason");
        api.<Boolean>auditedChange(ctx, reason, tx -> api.accounts().byId(tx, id, true).compose(found -> {
                    AccountRepository.Account a = found.orElseThrow(() -> ApiError.notFound("no account with id " + id));
                    return api.mfa().reset(tx, id)
                            .compose(had -> api.tokens().revokeSessions(tx, id).map(had))
                            .map(had -> new AdminApi.Change<>(had, "account", id.toString(),
                                    new JsonObject().put("username", a.username()).put("had_second_factor", had)));
                }))
                .onSuccess(had -> Api.json(ctx, 200, new JsonObject().put("id", id.toString())
                        .put("second_factor_removed", had)))
                .onFailure(ctx::fail);
    }

    private void list(RoutingContext ctx) {
        QueryInput q = QueryInput.of(ctx, "limit", "offset");
        int limit = q.limit();
        int offset = q.offset();
        Api.reply(ctx, api.auditAllowed(ctx, "account", null, null, null)
                .compose(v -> api.accounts().list(limit + 1, offset))
                .compose(accounts -> {
                    List<AccountRepository.Account> page = accounts.stream().limit(limit).toList();
                    return api.mfa().confirmedAmong(page.stream().map(AccountRepository.Account::id).toList())
                            .map(enrolled -> {
                                JsonArray items = new JsonArray();
                                page.forEach(a -> items.add(a.toJson().put("second_factor", enrolled.contains(a.id()))));
                                return Api.offsetPage(items, limit, offset, accounts.size() > limit);
                            });
                }));
    }

    private void create(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "username", "password", "role", "endpoints");
        String username = Usernames.normalize(in.requiredString("username"));
        if (!Usernames.valid(username)) {
            throw ApiError.badRequest("field 'username' must be " + Usernames.RULE);
        }
        String password = in.requiredSecret("password");
        PasswordPolicy.problem(username, password).ifPresent(p -> {
            throw ApiError.badRequest("field 'password' " + p);
        });
        Role role = in.optionalRole("role").orElseThrow(() -> ApiError.badRequest("field 'role' is required"));
        List<String> endpoints = AgentScope.parse(in.optionalArray("endpoints").orElse(null));
        if (!endpoints.isEmpty() && role != Role.AGENT) {
            throw ApiError.badRequest("field 'endpoints' binds an agent to its calls; other roles have none");
        }
        Principal me = Api.principal(ctx);
        String by = me.describe();
        java.time.Instant temporaryUntil = api.clock().instant().plus(DutySeparation.TEMPORARY_PASSWORD_TTL);
        if (DutySeparation.needsSecondAdmin(role)) {
            api.blocking(() -> api.hasher().hash(password))
                    .compose(hash -> api.<ApprovalRepository.Approval>auditedChange(ctx, tx ->
                            api.accounts().byUsername(username).compose(existing -> {
                                if (existing.isPresent()) {
                                    throw ApiError.conflict("an account named '" + username + "' exists already");
                                }
                                return api.accounts().countOtherActiveAdmins(tx, me.id());
                            }).compose(others -> {
                                if (others == 0) {
                                    throw DutySeparation.singleAdmin();
                                }
                                return api.approvals().request(tx, ApprovalRepository.Kind.ACCOUNT_CREATE, null, username,
                                        null, role, false, hash, null, me.id());
                            }).map(r -> new AdminApi.Change<>(r, "role_approval", r.id().toString(), new JsonObject()
                                    .put("kind", r.kind().wire()).put("username", username).put("role", role.wire())))))
                    .onSuccess(r -> Api.json(ctx, 202, r.toJson()))
                    .onFailure(ctx::fail);
            return;
        }
        api.blocking(() -> api.hasher().hash(password))
                .compose(hash -> api.<AccountRepository.Account>auditedChange(ctx, tx ->
                        api.accounts().create(tx, username, hash, role, by, temporaryUntil)
                                .compose(a -> api.accounts().setEndpoints(tx, a.id(), endpoints)
                                        .compose(v -> api.accounts().byId(tx, a.id(), false)).map(Optional::orElseThrow))
                                .map(a -> new AdminApi.Change<>(a, "account", a.id().toString(), new JsonObject()
                                        .put("username", username).put("role", role.wire()).put("temporary_password", true)
                                        .put("endpoints", new JsonArray(new java.util.ArrayList<Object>(endpoints)))))))
                .onSuccess(a -> Api.json(ctx, 201, a.toJson()))
                .onFailure(ctx::fail);
    }

    private void read(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("account id", ctx.pathParam("id"));
        Api.reply(ctx, api.auditAllowed(ctx, "account", id.toString(), null, null)
                .compose(v -> api.accounts().byId(id))
                .map(a -> a.orElseThrow(() -> ApiError.notFound("no account with id " + id)))
                .compose(a -> api.mfa().enrolment(id).map(e -> a.toJson()
                        .put("second_factor", e.map(MfaRepository.Enrolment::confirmed).orElse(false)))));
    }

    private void update(RoutingContext ctx) {
        QueryInput.of(ctx);
        UUID id = Ids.parse("account id", ctx.pathParam("id"));
        JsonInput in = JsonInput.of(ctx, false, "role", "disabled", "password", "endpoints");
        Optional<Role> role = in.optionalRole("role");
        Optional<Boolean> disabled = in.optionalBoolean("disabled");
        Optional<String> password = in.optionalSecret("password");
        Optional<List<String>> endpoints = in.optionalArray("endpoints").map(AgentScope::parse);
        if (role.isEmpty() && disabled.isEmpty() && password.isEmpty() && endpoints.isEmpty()) {
            throw ApiError.badRequest("give at least one of the fields 'role', 'disabled', 'password', 'endpoints'");
        }
        Principal me = Api.principal(ctx);
        Future<String> hash = password.isEmpty() ? Future.succeededFuture(null)
                : api.accounts().byId(id).compose(found -> {
                    String name = found.map(AccountRepository.Account::username).orElse("");
                    PasswordPolicy.problem(name, password.get()).ifPresent(p -> {
                        throw ApiError.badRequest("field 'password' " + p);
                    });
                    return api.blocking(() -> api.hasher().hash(password.get()));
                });
        hash.compose(h -> api.<Object>auditedChange(ctx, tx -> api.accounts().lockActiveAdmins(tx)
                        .compose(admins -> api.accounts().byId(tx, id, true).compose(found -> {
                            AccountRepository.Account a = found.orElseThrow(() -> ApiError.notFound("no account with id " + id));
                            Role newRole = role.orElse(a.role());
                            boolean newDisabled = disabled.orElse(a.disabled());
                            boolean promotes = newRole != a.role() && DutySeparation.needsSecondAdmin(newRole);
                            boolean resetsPrivileged = h != null && DutySeparation.needsSecondAdmin(newRole);
                            if (promotes || resetsPrivileged) {
                                if (a.id().equals(me.id())) {
                                    throw ApiError.conflict("an admin cannot change their own role or reset their "
                                            + "own password here; change your password with POST " + AdminApi.BASE
                                            + "/auth/password");
                                }
                                return api.accounts().countOtherActiveAdmins(tx, me.id()).compose(others -> {
                                    if (others == 0) {
                                        throw DutySeparation.singleAdmin();
                                    }
                                    return api.approvals().request(tx, ApprovalRepository.Kind.ACCOUNT_UPDATE, id,
                                            a.username(), null, newRole, newDisabled, h, null, me.id());
                                }).map(r -> new AdminApi.Change<Object>(r, "role_approval", r.id().toString(),
                                        new JsonObject().put("kind", r.kind().wire()).put("account", id.toString())
                                                .put("role", newRole.wire()).put("sets_password", h != null)));
                            }
                            boolean losesAdmin = a.role() == Role.ADMIN && !a.disabled()
                                    && (newRole != Role.ADMIN || newDisabled);
                            if (losesAdmin && admins <= 1) {
                                throw ApiError.conflict("this is the last active admin: it cannot be disabled or "
                                        + "given another role");
                            }
                            if (losesAdmin && a.id().equals(me.id())) {
                                throw ApiError.conflict("an admin cannot disable or demote their own account; "
                                        + "ask another admin");
                            }
                            if (endpoints.isPresent() && !endpoints.get().isEmpty() && newRole != Role.AGENT) {
                                throw ApiError.badRequest("field 'endpoints' binds an agent to its calls; other roles "
                                        + "have none");
                            }
                            JsonArray changed = new JsonArray();
                            endpoints.filter(e -> !e.equals(a.endpoints())).ifPresent(e -> changed.add("endpoints"));
                            role.filter(r -> r != a.role()).ifPresent(r -> changed.add("role"));
                            disabled.filter(d -> d != a.disabled()).ifPresent(d -> changed.add("disabled"));
                            if (h != null) {
                                changed.add("password");
                            }
                            JsonObject detail = new JsonObject().put("username", a.username()).put("changed", changed)
                                    .put("role", newRole.wire()).put("disabled", newDisabled);
                            return api.accounts().update(tx, id, newRole, newDisabled, h,
                                            api.clock().instant().plus(DutySeparation.TEMPORARY_PASSWORD_TTL))
                                    .compose(v -> endpoints.isEmpty() ? Future.<Void>succeededFuture()
                                            : api.accounts().setEndpoints(tx, id, endpoints.get()))
                                    .compose(v -> changed.isEmpty() ? Future.succeededFuture()
                                            : api.tokens().revokeSessions(tx, id))
                                    .compose(v -> api.accounts().byId(tx, id, false))
                                    .map(updated -> new AdminApi.Change<Object>(updated.orElseThrow(), "account",
                                            id.toString(), detail));
                        }))))
                .onSuccess(v -> {
                    if (v instanceof ApprovalRepository.Approval r) {
                        Api.json(ctx, 202, r.toJson());
                    } else {
                        Api.json(ctx, 200, ((AccountRepository.Account) v).toJson());
                    }
                })
                .onFailure(ctx::fail);
    }
}
