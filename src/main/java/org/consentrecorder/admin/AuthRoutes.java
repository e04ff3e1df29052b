package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Sign-in in one or two steps, logout, "who am I", and enrolment of the TOTP second factor.
 *
 * <p>Step one ({@code POST /auth/login}): user name and password. The attempt is counted by the
 * {@link LoginThrottle} before the password is hashed. An account with a confirmed second factor
 * gets a short-lived challenge instead of a token; step two ({@code POST /auth/login/mfa}) trades
 * the challenge and a TOTP or recovery code for the token. An account whose role requires a second
 * factor but has none gets a session that may only enrol one.
 *
 * <p>A password an admin set is temporary: sign-in with it answers {@code password_change_required}
 * and no token; {@code POST /auth/password} (user name, the current password, a new one) sets the
 * operator's own and then signs in as above. An expired temporary password lets no one in.
 */
final class AuthRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AuthRoutes.class);
    private static final String INVALID = "invalid user name or password";
    static final Duration CHALLENGE_TTL = Duration.ofMinutes(5);
    static final int CHALLENGE_ATTEMPTS = 5;
    /**
     * The error code of a second step that cannot succeed any more (challenge unknown, expired or used
     * up): the client goes back to the password, where a wrong code ("unauthorized") lets it try again.
     */
    static final String CHALLENGE_EXPIRED = "challenge_expired";
    private final AdminApi api;

    AuthRoutes(AdminApi api) {
        this.api = api;
    }

    List<ApiRoute> routes() {
        return List.of(
                new ApiRoute(HttpMethod.POST, "/auth/login", ApiRoute.Access.PUBLIC, null, "auth.login", true, this::login),
                new ApiRoute(HttpMethod.POST, "/auth/login/mfa", ApiRoute.Access.PUBLIC, null, "auth.login.mfa", true,
                        this::secondStep),
                new ApiRoute(HttpMethod.POST, "/auth/password", ApiRoute.Access.PUBLIC, null, "auth.password", true,
                        this::changePassword),
                new ApiRoute(HttpMethod.POST, "/auth/logout", ApiRoute.Access.AUTHENTICATED, null, "auth.logout", true, this::logout),
                new ApiRoute(HttpMethod.GET, "/auth/me", ApiRoute.Access.AUTHENTICATED, null, "auth.me", false, this::me),
                new ApiRoute(HttpMethod.POST, "/auth/mfa/enrol", ApiRoute.Access.AUTHENTICATED, null, "auth.mfa.enrol", true,
                        this::enrol),
                new ApiRoute(HttpMethod.POST, "/auth/mfa/confirm", ApiRoute.Access.AUTHENTICATED, null, "auth.mfa.confirm",
                        true, this::confirm));
    }

    /** The routes a session limited to enrolment may call. */
    static boolean enrolmentRoute(ApiRoute r) {
        return r != null && List.of("auth.me", "auth.logout", "auth.mfa.enrol", "auth.mfa.confirm").contains(r.action());
    }

    private static ApiError tooMany(Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new ApiError(429, "too_many_attempts", "too many failed logins for this account from this address, "
                + "or from this address; try again in " + seconds + " s", new JsonObject().put("retry_after_seconds", seconds));
    }

    private void login(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "username", "password");
        String username = Usernames.normalize(in.requiredString("username"));
        String password = in.requiredSecret("password");
        String source = Api.source(ctx);
        throttled(ctx, username, source, ticket -> checkPassword(ctx, username, password, source, ticket,
                account -> account.mustChangePassword() ? mustChange(ctx, account, source)
                        : afterPassword(ctx, account, source)));
    }

    /**
     * The operator sets their own password: after an admin-set temporary one (first sign-in), or
     * at any time. Throttled and checked like a sign-in; then signs in.
     */
    private void changePassword(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "username", "password", "new_password");
        String username = Usernames.normalize(in.requiredString("username"));
        String password = in.requiredSecret("password");
        String newPassword = in.requiredSecret("new_password");
        PasswordPolicy.problem(username, newPassword).ifPresent(p -> {
            throw ApiError.badRequest("field 'new_password' " + p);
        });
        if (newPassword.equals(password)) {
            throw ApiError.badRequest("field 'new_password' must differ from the current password");
        }
        String source = Api.source(ctx);
        throttled(ctx, username, source, ticket -> checkPassword(ctx, username, password, source, ticket,
                account -> api.blocking(() -> api.hasher().hash(newPassword))
                        .compose(hash -> api.transactions().run(tx -> api.accounts().setOwnPassword(tx, account.id(), hash)
                                .compose(v -> api.tokens().revokeSessions(tx, account.id()))
                                .compose(v -> api.audit().append(tx, new AuditEntry("account", account.id().toString(),
                                        account.username(), "auth.password", "account", account.id().toString(), null,
                                        source, "ok", new JsonObject().put("was_temporary", account.mustChangePassword())
                                        .encode())))))
                        .compose(seq -> api.accounts().byId(account.id()))
                        .compose(updated -> afterPassword(ctx, updated.orElseThrow(), source))));
    }

    /** The temporary password was right: no token until the operator has chosen their own. */
    private Future<JsonObject> mustChange(RoutingContext ctx, AccountRepository.Account account, String source) {
        return api.audit().append(new AuditEntry("account", account.id().toString(), account.username(),
                        "auth.login", "account", account.id().toString(), null, source, "password_change_required", null))
                .map(seq -> {
                    ctx.put(Api.AUDITED, true);
                    return new JsonObject().put("password_change_required", true)
                            .put("password_expires_at", Api.time(account.passwordExpiresAt()))
                            .put("message", "the password was set by an admin: choose your own with POST "
                                    + AdminApi.BASE + "/auth/password");
                });
    }

    private void throttled(RoutingContext ctx, String username, String source,
                           java.util.function.Function<LoginThrottle.Ticket, Future<JsonObject>> check) {
        api.throttle().reserve(username, source)
                .recover(e -> {
                    LOG.warn("login throttle unavailable: {}", ExternalText.forLog(e.getMessage()));
                    return Future.failedFuture(ApiError.unavailable("sign-in is unavailable (database)"));
                })
                .compose(decision -> {
                    if (!decision.allowed()) {
                        LOG.warn("login delayed: too many failures for the account from {} or from that address",
                                ExternalText.forLog(source));
                        api.metrics().login(AdminMetrics.LoginResult.THROTTLED);
                        return Future.failedFuture(tooMany(decision.retryAfter()));
                    }
                    return check.apply(decision.ticket().orElseThrow());
                })
                .onSuccess(body -> Api.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private Future<JsonObject> checkPassword(RoutingContext ctx, String username, String password, String source,
                                             LoginThrottle.Ticket ticket,
                                             java.util.function.Function<AccountRepository.Account, Future<JsonObject>> onValid) {
        Future<Optional<AccountRepository.Account>> found = Usernames.valid(username)
                ? api.accounts().byUsername(username) : Future.succeededFuture(Optional.empty());
        return found.compose(account -> api.hashBounded(() -> {
                    if (account.isEmpty()) {
                        api.hasher().dummyVerify(password);
                        return false;
                    }
                    return api.hasher().verify(password, account.get().passwordHash());
                }).recover(e -> api.throttle().finish(ticket, false).transform(x -> Future.<Boolean>failedFuture(e)))
                .compose(ok -> {
                    boolean usable = ok && !account.get().disabled();
                    return api.throttle().finish(ticket, !usable).compose(reachedLock -> {
                        if (usable && account.get().locked()) {
                            return failed(ctx, account, source, "account_locked", new ApiError(403, "account_locked",
                                    "the account is locked after too many failed logins; an admin unlocks it "
                                            + "(POST " + AdminApi.BASE + "/accounts/{id}/unlock or 'admin unlock')"));
                        }
                        if (usable && account.get().temporaryPasswordExpired(api.clock().instant())) {
                            return failed(ctx, account, source, "temporary_password_expired", new ApiError(401,
                                    "password_expired", "the temporary password has expired; ask an admin for a new one"));
                        }
                        if (usable) {
                            return onValid.apply(account.get());
                        }
                        api.metrics().login(account.isEmpty() ? AdminMetrics.LoginResult.UNKNOWN_ACCOUNT
                                : ok ? AdminMetrics.LoginResult.ACCOUNT_DISABLED : AdminMetrics.LoginResult.WRONG_PASSWORD);
                        if (reachedLock) {
                            api.metrics().lockout();
                        }
                        Future<Void> lock = reachedLock && account.isPresent() ? lock(account.get(), source) : Future.succeededFuture();
                        return lock.compose(v -> failed(ctx, account, source, account.isEmpty() ? "unknown_account"
                                : ok ? "account_disabled" : "wrong_password", new ApiError(401, "unauthorized", INVALID)));
                    });
                }));
    }

    /** Writes the failure's audit row (unknown names are not written down: people type passwords there). */
    private Future<JsonObject> failed(RoutingContext ctx, Optional<AccountRepository.Account> account, String source,
                                      String cause, ApiError error) {
        AuditEntry row = new AuditEntry(account.isPresent() ? "account" : "anonymous",
                account.map(a -> a.id().toString()).orElse(null), account.map(a -> a.username()).orElse(null),
                Api.route(ctx).action(), "account", account.map(a -> a.id().toString()).orElse(null), null, source,
                "failed", new JsonObject().put("cause", cause).encode());
        return api.audit().append(row).transform(ar -> {
            ctx.put(Api.AUDITED, true);
            return Future.failedFuture(error);
        });
    }

    /** The account reached the failure count for a full lock: lock it and write it down. */
    private Future<Void> lock(AccountRepository.Account account, String source) {
        return api.transactions().run(tx -> api.accounts().lock(tx, account.username()).compose(changed -> changed
                ? api.audit().append(tx, new AuditEntry("system", null, "login-throttle", "auth.lock", "account",
                        account.id().toString(), null, source, "ok", new JsonObject()
                        .put("failures_in_24h", api.config().login().lockAfter()).encode())).mapEmpty()
                : Future.<Void>succeededFuture()))
                .onSuccess(v -> LOG.warn("account {} locked after {} failed logins in 24 h", account.id(),
                        api.config().login().lockAfter()));
    }

    private Future<JsonObject> afterPassword(RoutingContext ctx, AccountRepository.Account account, String source) {
        return api.mfa().enrolment(account.id()).compose(enrolment -> {
            if (enrolment.isPresent() && enrolment.get().confirmed()) {
                String challenge = Tokens.newToken("crc_");
                Instant expires = api.clock().instant().plus(CHALLENGE_TTL);
                return api.mfa().createChallenge(Tokens.hash(challenge), account.id(), source, expires)
                        .compose(v -> api.audit().append(new AuditEntry("account", account.id().toString(), account.username(),
                                "auth.login", "account", account.id().toString(), null, source, "challenge",
                                new JsonObject().put("step", "password").encode())))
                        .map(seq -> {
                            ctx.put(Api.AUDITED, true);
                            return new JsonObject().put("mfa_required", true).put("challenge", challenge)
                                    .put("expires_in", CHALLENGE_TTL.toSeconds())
                                    .put("methods", new JsonArray().add("totp").add("recovery_code"));
                        });
            }
            boolean enrolmentOnly = api.config().requiresMfa(account.role());
            return session(ctx, account, false, enrolmentOnly, "password");
        });
    }

    private Future<JsonObject> session(RoutingContext ctx, AccountRepository.Account account, boolean secondFactor,
                                       boolean enrolmentOnly, String method) {
        String source = Api.source(ctx);
        api.metrics().login(AdminMetrics.LoginResult.SUCCESS);
        return api.transactions().run(tx -> api.tokens().createSession(tx, account, api.config().tokenTtl(),
                                secondFactor, enrolmentOnly)
                        .compose(issued -> api.audit().append(tx, new AuditEntry("account", account.id().toString(),
                                        account.username(), "auth.login", "account", account.id().toString(), null,
                                        source, "ok", new JsonObject().put("session", issued.id().toString())
                                        .put("method", method).put("scope", enrolmentOnly ? "mfa_enrolment" : "full").encode()))
                                .map(seq -> {
                                    JsonObject body = new JsonObject()
                                            .put("token", issued.token())
                                            .put("token_type", "Bearer")
                                            .put("expires_at", Api.time(issued.expiresAt()))
                                            .put("expires_in", api.config().tokenTtl().toSeconds())
                                            .put("username", account.username())
                                            .put("role", account.role().wire())
                                            .put("second_factor", secondFactor)
                                            .put("scope", enrolmentOnly ? "mfa_enrolment" : "full");
                                    if (enrolmentOnly) {
                                        body.put("mfa_enrolment_required", true);
                                    }
                                    return body;
                                })))
                .compose(body -> api.throttle().succeeded(account.username(), source)
                        .otherwise(e -> null).map(v -> body))
                .onSuccess(v -> ctx.put(Api.AUDITED, true));
    }

    private void secondStep(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "challenge", "code", "recovery_code");
        String challenge = in.requiredSecret("challenge");
        Optional<String> code = in.optionalSecret("code");
        Optional<String> recovery = in.optionalSecret("recovery_code");
        if (code.isPresent() == recovery.isPresent()) {
            throw ApiError.badRequest("send exactly one of 'code' (the 6 digits of the authenticator app) or 'recovery_code'");
        }
        String source = Api.source(ctx);
        byte[] idHash = Tokens.hash(challenge);
        api.mfa().attemptChallenge(idHash, CHALLENGE_ATTEMPTS)
                .compose(accountId -> accountId.isEmpty()
                        ? Future.failedFuture(new ApiError(401, CHALLENGE_EXPIRED,
                        "the challenge is unknown, expired or used up; sign in again with the password"))
                        : api.accounts().byId(accountId.get()))
                .compose(account -> {
                    if (account.isEmpty() || account.get().disabled() || account.get().locked()) {
                        return Future.failedFuture(new ApiError(401, CHALLENGE_EXPIRED, "sign in again with the password"));
                    }
                    AccountRepository.Account a = account.get();
                    return api.mfa().enrolment(a.id()).compose(e -> {
                        if (e.isEmpty() || !e.get().confirmed()) {
                            return Future.failedFuture(new ApiError(401, CHALLENGE_EXPIRED, "sign in again with the password"));
                        }
                        return redeem(ctx, a, e.get(), idHash, code, recovery, source);
                    });
                })
                .onSuccess(body -> Api.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private Future<JsonObject> redeem(RoutingContext ctx, AccountRepository.Account a, MfaRepository.Enrolment e,
                                      byte[] idHash, Optional<String> code, Optional<String> recovery, String source) {
        OptionalLong step = OptionalLong.empty();
        if (code.isPresent()) {
            byte[] secret = api.secondFactors().open(e);
            try {
                step = Totp.accept(secret, code.get().trim(), api.clock().instant().getEpochSecond(), e.lastStep());
            } finally {
                SecondFactors.zero(secret);
            }
            if (step.isEmpty()) {
                return wrongCode(ctx, a, source, "wrong_or_reused_code");
            }
        }
        OptionalLong accepted = step;
        Future<Boolean> spent = api.transactions().run(tx -> (accepted.isPresent()
                ? api.mfa().useStep(tx, a.id(), accepted.getAsLong())
                : api.mfa().useRecoveryCode(tx, a.id(), SecondFactors.recoveryHash(a.id(), recovery.orElseThrow())))
                .compose(ok -> ok ? api.mfa().spendChallenge(tx, idHash) : Future.succeededFuture(false)));
        return spent.compose(ok -> ok
                ? session(ctx, a, true, false, accepted.isPresent() ? "password+totp" : "password+recovery_code")
                : wrongCode(ctx, a, source, accepted.isPresent() ? "wrong_or_reused_code" : "wrong_or_used_recovery_code"));
    }

    private Future<JsonObject> wrongCode(RoutingContext ctx, AccountRepository.Account a, String source, String cause) {
        return api.throttle().failed(a.username(), source)
                .compose(reachedLock -> reachedLock ? lock(a, source) : Future.succeededFuture())
                .otherwise(x -> null)
                .compose(v -> failed(ctx, Optional.of(a), source, cause,
                        new ApiError(401, "unauthorized", "the code is wrong, expired or was used already")));
    }

    private void enrol(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput.of(ctx, true);
        Principal p = Api.principal(ctx);
        if (p.kind() != Principal.Kind.ACCOUNT) {
            throw ApiError.badRequest("an API token has no second factor; only operator accounts enrol one");
        }
        byte[] secret = SecondFactors.newSecret();
        var sealed = api.secondFactors().seal(p.id(), secret);
        String uri = Totp.uri("consent-recorder", p.name(), secret);
        String base32 = Totp.base32(secret);
        SecondFactors.zero(secret);
        api.<Boolean>auditedChange(ctx, tx -> api.mfa().begin(tx, p.id(), sealed.kekId(), sealed.ciphertext())
                        .compose(started -> started ? Future.succeededFuture(new AdminApi.Change<>(true, "account",
                                p.id().toString(), new JsonObject().put("step", "secret_issued")))
                                : Future.failedFuture(ApiError.conflict("a second factor is enrolled already; "
                                + "an admin resets it (POST " + AdminApi.BASE + "/accounts/{id}/mfa-reset) before a new one"))))
                .onSuccess(v -> Api.json(ctx, 200, new JsonObject().put("otpauth_uri", uri).put("secret", base32)
                        .put("algorithm", "SHA1").put("digits", Totp.DIGITS).put("period", Totp.STEP_SECONDS)
                        .put("next", "POST " + AdminApi.BASE + "/auth/mfa/confirm with {\"code\": \"123456\"}")))
                .onFailure(ctx::fail);
    }

    private void confirm(RoutingContext ctx) {
        QueryInput.of(ctx);
        JsonInput in = JsonInput.of(ctx, false, "code");
        String code = in.requiredSecret("code").trim();
        Principal p = Api.principal(ctx);
        if (p.kind() != Principal.Kind.ACCOUNT) {
            throw ApiError.badRequest("an API token has no second factor");
        }
        List<String> codes = SecondFactors.newRecoveryCodes();
        api.<Boolean>auditedChange(ctx, tx -> api.mfa().enrolment(tx, p.id()).compose(e -> {
                    if (e.isEmpty()) {
                        return Future.failedFuture(ApiError.conflict("no enrolment started; POST " + AdminApi.BASE
                                + "/auth/mfa/enrol first"));
                    }
                    if (e.get().confirmed()) {
                        return Future.failedFuture(ApiError.conflict("the second factor is confirmed already"));
                    }
                    byte[] secret = api.secondFactors().open(e.get());
                    OptionalLong step;
                    try {
                        step = Totp.accept(secret, code, api.clock().instant().getEpochSecond(), e.get().lastStep());
                    } finally {
                        SecondFactors.zero(secret);
                    }
                    if (step.isEmpty()) {
                        return Future.failedFuture(ApiError.badRequest("field 'code' is not the current code of the "
                                + "authenticator app (check the phone's clock)"));
                    }
                    return api.mfa().useStep(tx, p.id(), step.getAsLong())
                            .compose(v -> api.mfa().replaceRecoveryCodes(tx, p.id(),
                                    codes.stream().map(c -> SecondFactors.recoveryHash(p.id(), c)).toList()))
                            .compose(v -> api.tokens().upgradeSession(tx, p.tokenId()))
                            .map(v -> new AdminApi.Change<>(true, "account", p.id().toString(),
                                    new JsonObject().put("step", "confirmed").put("recovery_codes", codes.size())));
                }))
                .onSuccess(v -> Api.json(ctx, 200, new JsonObject().put("enrolled", true).put("second_factor", true)
                        .put("recovery_codes", new JsonArray(codes))
                        .put("note", "each recovery code works once; keep them offline")))
                .onFailure(ctx::fail);
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
                .onSuccess(v -> {
                    // the session's playback tickets (capability URLs) end with it, at once
                    api.playbackTickets().revokeToken(p.tokenId());
                    Api.noContent(ctx);
                })
                .onFailure(ctx::fail);
    }

    private void me(RoutingContext ctx) {
        QueryInput.of(ctx);
        Principal p = Api.principal(ctx);
        JsonArray permissions = new JsonArray();
        if (!p.enrolmentOnly()) {
            Arrays.stream(Permission.values()).filter(perm -> api.permits(p, perm))
                    .forEach(perm -> permissions.add(perm.name().toLowerCase()));
        }
        JsonObject body = new JsonObject().put("kind", p.kind().wire()).put("id", p.id().toString())
                .put("name", p.name()).put("role", p.role().wire()).put("permissions", permissions)
                .put("second_factor", p.secondFactor())
                .put("scope", p.enrolmentOnly() ? "mfa_enrolment" : "full")
                .put("mfa_required", p.kind() == Principal.Kind.ACCOUNT && api.config().requiresMfa(p.role()));
        Api.json(ctx, 200, body);
    }
}
