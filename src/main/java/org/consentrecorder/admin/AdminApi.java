package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.consentrecorder.call.CallDirectory;
import org.consentrecorder.call.CallerIdentity;
import org.consentrecorder.crypto.Keyring;
import org.consentrecorder.privacy.PrivacyProblem;
import org.consentrecorder.privacy.PrivacyServices;
import org.consentrecorder.archive.RecordingArchive;
import org.consentrecorder.archive.RecordingQuarantine;
import org.consentrecorder.store.Transactions;
import org.consentrecorder.store.Tx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * The operator admin API under {@code /api/v1}: JSON over HTTP on Vert.x Web.
 *
 * <p>Every route passes the same chain: body limit, bearer-token authentication, a permission
 * check (deny by default; a denial is audited), then the handler. Handlers write their audit row
 * before they serve anything; a request that fails after authentication without having written
 * one gets a row with the error as outcome. Unknown paths answer 404, known paths with the wrong
 * method 405, oversized bodies 413, all with {@code {"error": ..., "message": ...}}.
 */
public final class AdminApi {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    public static final String BASE = "/api/v1";
    static final int HASHING_THREADS = 4;

    private final Vertx vertx;
    private final AdminConfig config;
    private final Transactions transactions;
    private final AccountRepository accounts;
    private final TokenRepository tokens;
    private final ApprovalRepository approvals;
    private final PlaybackTickets playbackTickets = new PlaybackTickets();
    private final CallSearchRepository callSearch;
    private final AccountAccessRepository accountAccess;
    private final RecordingSearchRepository recordingSearch;
    private final AuditLog audit;
    private final AuditRepository auditRows;
    private final AuditAnchoring anchoring;
    private final LoginThrottle throttle;
    private final LoginThrottleRepository throttleCounters;
    private final MfaRepository mfa;
    private final SecondFactors secondFactors;
    private final PasswordHasher hasher;
    private final java.util.concurrent.atomic.AtomicInteger hashesWaiting = new java.util.concurrent.atomic.AtomicInteger();
    private final CallDirectory calls;
    private final Supplier<RecordingArchive> archive;
    private final RecordingQuarantine quarantine;
    private final InputBoundary boundary = InputBoundary.fromDocument(OpenApiDocument.load());
    private final CallerIdentity identity;
    private final PrivacyServices privacy;
    private final Clock clock;
    private final io.vertx.core.WorkerExecutor hashing;
    private final List<ApiRoute> routes = new ArrayList<>();
    private final List<Pattern> routePatterns = new ArrayList<>();
    private volatile AdminMetrics metrics = AdminMetrics.NOOP;
    private final BodyHandler bodyHandler;

    private AdminApi(Vertx vertx, AdminConfig config, Pool pool, CallDirectory calls, Supplier<RecordingArchive> archive,
                     RecordingQuarantine quarantine, CallerIdentity identity, PrivacyServices privacy, Keyring keyring,
                     AuditAnchoring anchoring,
                     Clock clock) {
        this.vertx = vertx;
        this.config = config;
        this.transactions = new Transactions(pool);
        this.accounts = new AccountRepository(pool, clock);
        this.tokens = new TokenRepository(pool, clock);
        this.approvals = new ApprovalRepository(pool, clock);
        this.callSearch = new CallSearchRepository(pool);
        this.accountAccess = new AccountAccessRepository(pool);
        this.recordingSearch = new RecordingSearchRepository(pool);
        this.audit = new AuditLog(pool, anchoring.keys(), clock);
        this.anchoring = anchoring;
        this.auditRows = new AuditRepository(pool);
        this.throttleCounters = new LoginThrottleRepository(pool);
        this.throttle = new LoginThrottle(clock, config.login(), transactions, throttleCounters);
        this.mfa = new MfaRepository(pool, clock);
        this.secondFactors = new SecondFactors(keyring);
        this.hasher = new PasswordHasher();
        this.calls = calls;
        this.archive = archive;
        this.quarantine = quarantine;
        this.identity = identity;
        this.privacy = privacy;
        this.clock = clock;
        // Argon2id takes 19 MiB and a core per hash: at most this many at once, whatever the login traffic
        this.hashing = vertx.createSharedWorkerExecutor("cr-password-hashing", HASHING_THREADS);
        this.bodyHandler = BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes());
    }

    /**
     * Mounts every route on the router; the archive supplier may return null (audio then answers
     * 503), and so may the quarantine be null (its routes then answer 503).
     */
    public static AdminApi mount(Router router, Vertx vertx, AdminConfig config, Pool pool, CallDirectory calls,
                                 Supplier<RecordingArchive> archive, RecordingQuarantine quarantine,
                                 CallerIdentity identity, PrivacyServices privacy, Keyring keyring, AuditAnchoring anchoring,
                                 Clock clock) {
        AdminApi api = new AdminApi(vertx, config, pool, calls, archive, quarantine, identity, privacy, keyring, anchoring, clock);
        api.mountOn(router);
        // the operator console: static files that use only the routes above
        ConsoleRoutes.mount(router);
        vertx.setPeriodic(600_000, id -> {
            api.throttle.sweep().onFailure(e -> LOG.debug("sweeping login counters: {}", ExternalText.forLog(e.getMessage())));
            api.mfa.purgeChallenges().onFailure(e -> LOG.debug("purging login challenges: {}", ExternalText.forLog(e.getMessage())));
            api.tokens.purgeOldSessions().onFailure(e -> LOG.debug("purging old sessions: {}", ExternalText.forLog(e.getMessage())));
        });
        return api;
    }

    private void mountOn(Router router) {
        router.route(BASE + "/*").handler(ctx -> {
            ctx.response().putHeader("cache-control", "no-store").putHeader("x-content-type-options", "nosniff");
            ctx.put(Api.SOURCE, config.trustedProxies().client(Api.peer(ctx), ctx.request().getHeader("x-forwarded-for")));
            // the body is read only after authentication (see register): until then it waits in the socket
            ctx.request().pause();
            ctx.next();
        });
        router.route(BASE + "/*").failureHandler(this::failure);

        List<ApiRoute> all = new ArrayList<>();
        all.addAll(new AuthRoutes(this).routes());
        all.addAll(new AccountRoutes(this).routes());
        all.addAll(new TokenRoutes(this).routes());
        all.addAll(new ApprovalRoutes(this).routes());
        all.addAll(new CallRoutes(this).routes());
        // before the recordings: /recordings/:id would otherwise take /recordings/quarantine
        all.addAll(new QuarantineRoutes(this).routes());
        all.addAll(new RecordingRoutes(this).routes());
        all.addAll(new LiveCallRoutes(this).routes());
        all.addAll(new ConsentRoutes(this).routes());
        all.addAll(new AuditRoutes(this).routes());
        all.addAll(new SubjectRequestRoutes(this).routes());
        all.addAll(new LegalHoldRoutes(this).routes());
        all.addAll(new RestrictionRoutes(this).routes());
        all.addAll(new CorrectionRoutes(this).routes());
        all.addAll(new BreachRoutes(this).routes());
        all.addAll(new PrivacyReportRoutes(this).routes());
        all.add(new ApiRoute(HttpMethod.GET, "/openapi.json", ApiRoute.Access.PUBLIC, null, "openapi.read", false,
                OpenApiDocument.handler()));
        for (ApiRoute r : all) {
            register(router, r);
        }
        router.route(BASE + "/*").handler(this::noRoute);
    }

    private void register(Router router, ApiRoute r) {
        boundary.of(r); // every route is described, with its input's limits, before anything is served
        routes.add(r);
        routePatterns.add(Pattern.compile(Pattern.quote(r.path()).replaceAll(":[A-Za-z_]+", "\\\\E[^/]+\\\\Q")));
        io.vertx.ext.web.Route route = router.route(r.method(), BASE + r.path()).handler(ctx -> {
            ctx.put(Api.ROUTE, r);
            ctx.next();
        });
        if (r.access() != ApiRoute.Access.PUBLIC) {
            route.handler(this::authenticate);
        }
        if (r.access() == ApiRoute.Access.PERMISSION || r.access() == ApiRoute.Access.PERMISSION_OR_TICKET) {
            route.handler(this::authorize);
        }
        // wrapped, because Vert.x Web wants a BodyHandler first; the request was paused, so nothing is lost
        route.handler(ctx -> bodyHandler.handle(ctx));
        route.handler(ctx -> {
            try {
                // the one input boundary: every string checked against the OpenAPI document before the handler
                boundary.check(ctx, r);
                r.handler().handle(ctx);
            } catch (RuntimeException e) {
                ctx.fail(e);
            }
        });
    }

    /**
     * Serves a route outside {@code /api/v1} (e.g. {@code /health/detail}) behind the API's own chain:
     * bearer token, permission, the "allowed" audit row before the handler runs, JSON errors. Not part
     * of openapi.json, which describes {@code /api/v1}.
     */
    public void mountOutside(Router router, ApiRoute r) {
        router.route(r.path()).failureHandler(this::failure);
        router.route(r.method(), r.path()).handler(ctx -> {
            ctx.put(Api.ROUTE, r);
            ctx.next();
        }).handler(this::authenticate).handler(this::authorize).handler(ctx -> auditAllowed(ctx, null, null, null, null)
                .onSuccess(v -> {
                    try {
                        r.handler().handle(ctx);
                    } catch (RuntimeException e) {
                        ctx.fail(e);
                    }
                })
                .onFailure(ctx::fail));
    }

    /** Reports sign-ins, lockouts and audit writes to {@code metrics} from now on. */
    public void useMetrics(AdminMetrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics);
        audit.useMetrics(metrics);
    }

    AdminMetrics metrics() {
        return metrics;
    }

    /** The mounted routes (for the OpenAPI consistency test and the README). */
    public List<ApiRoute> routes() {
        return List.copyOf(routes);
    }

    // ---- authentication and authorization ----------------------------------------------------

    private void authenticate(RoutingContext ctx) {
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        ApiRoute route = Api.route(ctx);
        if (header == null && route != null && route.access() == ApiRoute.Access.PERMISSION_OR_TICKET
                && !ctx.queryParam("ticket").isEmpty()) {
            authenticateByTicket(ctx);
            return;
        }
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.fail(new ApiError(401, "unauthorized", "send 'Authorization: Bearer <token>' (POST "
                    + BASE + "/auth/login gives a token)"));
            return;
        }
        tokens.authenticate(header.substring(7).trim()).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("token lookup failed: {}", ExternalText.forLog(ar.cause().getMessage()));
                ctx.fail(ApiError.unavailable("authentication is unavailable (database)"));
            } else if (ar.result().isEmpty()) {
                ctx.fail(new ApiError(401, "unauthorized", "the token is unknown, expired or revoked"));
            } else if (ar.result().get().enrolmentOnly() && !AuthRoutes.enrolmentRoute(Api.route(ctx))) {
                ctx.put(Api.PRINCIPAL, ar.result().get());
                ctx.fail(new ApiError(403, "mfa_enrolment_required", "this session may only enrol a second factor: "
                        + "POST " + BASE + "/auth/mfa/enrol, then POST " + BASE + "/auth/mfa/confirm"));
            } else {
                ctx.put(Api.PRINCIPAL, ar.result().get());
                ctx.next();
            }
        });
    }

    /**
     * A playback ticket as the only credential (an {@code <audio>} element cannot send a bearer token):
     * the ticket must be open and unexpired, and the session or token it was issued to must still be
     * valid (unexpired, unrevoked, its account enabled), whose principal the request then is, so every
     * use is that account's. A ticket for another recording is refused after that, so the refusal is
     * audited under the account. The ticket never reaches a log: no message here or in the failure
     * handler carries the query string.
     */
    private void authenticateByTicket(RoutingContext ctx) {
        List<String> given = ctx.queryParam("ticket");
        Optional<PlaybackTickets.Ticket> ticket = given.size() == 1
                ? playbackTickets.find(given.get(0), clock.instant()) : Optional.empty();
        if (ticket.isEmpty()) {
            ctx.fail(PlaybackTickets.invalid(401));
            return;
        }
        tokens.authenticateById(ticket.get().tokenId()).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("token lookup for a playback ticket failed: {}", ExternalText.forLog(ar.cause().getMessage()));
                ctx.fail(ApiError.unavailable("authentication is unavailable (database)"));
            } else if (ar.result().isEmpty()) {
                // signed out, revoked, expired or the account disabled since the ticket was issued
                ctx.fail(PlaybackTickets.invalid(401));
            } else {
                ctx.put(Api.PRINCIPAL, ar.result().get());
                ctx.put(Api.TICKET, ticket.get());
                ctx.next();
            }
        });
    }

    /**
     * Whether the principal may use the permission now: its role grants it; an account whose role
     * requires a second factor presented one at sign-in; an API token (which has no second factor)
     * never plays audio or exports subject data unless {@code CR_TOKENS_MAY_PLAY} says so.
     */
    boolean permits(Principal p, Permission perm) {
        if (!p.role().allows(perm) || p.enrolmentOnly()) {
            return false;
        }
        if (p.kind() == Principal.Kind.ACCOUNT) {
            return p.secondFactor() || !config.requiresMfa(p.role());
        }
        return config.tokensMayPlay() || (perm != Permission.PLAYBACK && perm != Permission.EXPORT);
    }

    private void authorize(RoutingContext ctx) {
        Principal p = Api.principal(ctx);
        ApiRoute r = Api.route(ctx);
        if (permits(p, r.permission())) {
            ctx.next();
            return;
        }
        ApiError denied;
        if (!p.role().allows(r.permission())) {
            denied = new ApiError(403, "forbidden", "role '" + p.role().wire() + "' may not "
                    + r.method().name() + " " + BASE + r.path());
        } else if (p.kind() == Principal.Kind.ACCOUNT) {
            denied = new ApiError(403, "mfa_required", "role '" + p.role().wire() + "' needs a session signed in "
                    + "with a second factor for " + r.method().name() + " " + BASE + r.path());
        } else {
            denied = new ApiError(403, "forbidden", "an API token has no second factor: it may not "
                    + r.method().name() + " " + BASE + r.path() + " unless the deployment sets CR_TOKENS_MAY_PLAY=true");
        }
        // the denial is audited before it is answered; if that fails the answer is still a denial
        audit.append(entry(ctx, null, null, null, "denied", null)).onComplete(ar -> {
            ctx.put(Api.AUDITED, true);
            ctx.fail(denied);
        });
    }

    // ---- audit helpers -----------------------------------------------------------------------

    AuditEntry entry(RoutingContext ctx, String targetType, String targetId, String reason, String outcome,
                     JsonObject detail) {
        ApiRoute r = Api.route(ctx);
        return AuditEntry.of(Api.principal(ctx), Api.source(ctx), r == null ? "unknown" : r.action(), targetType,
                targetId, reason, outcome, detail);
    }

    /**
     * Writes the "allowed" row for this request before anything is served. If the row cannot be
     * written, the future fails with 503 and the caller serves nothing.
     */
    Future<Void> auditAllowed(RoutingContext ctx, String targetType, String targetId, String reason, JsonObject detail) {
        return audit.append(entry(ctx, targetType, targetId, reason, "allowed", detail))
                .<Void>map(seq -> {
                    ctx.put(Api.AUDITED, true);
                    return null;
                })
                .recover(e -> {
                    LOG.error("audit row not written, nothing served: {}", ExternalText.forLog(e.getMessage()));
                    return Future.failedFuture(new ApiError(503, "audit_unavailable",
                            "the audit trail cannot be written, so nothing is served"));
                });
    }

    /**
     * As {@link #auditAllowed} for a request about a data subject: the audit row names the subject
     * by its pseudonym, never by the phone number (the audit log cannot forget; erasure unlinks the
     * pseudonym). Completes with the pseudonym.
     */
    Future<String> auditAllowedForSubject(RoutingContext ctx, String subject, String reason, JsonObject detail) {
        return privacy.pseudonyms().of(subject)
                .recover(e -> {
                    LOG.error("subject pseudonym not available, nothing served: {}", ExternalText.forLog(e.getMessage()));
                    return Future.failedFuture(new ApiError(503, "audit_unavailable",
                            "the audit trail cannot be written, so nothing is served"));
                })
                .compose(pseudonym -> auditAllowed(ctx, "subject", pseudonym, reason,
                        detail == null ? null : detail.copy().put("caller", pseudonym)).map(pseudonym));
    }

    /** What a change did, for its audit row. */
    public record Change<T>(T value, String targetType, String targetId, JsonObject detail) {
    }

    /** Runs a change and its audit row ("ok") in one transaction: both commit or neither does. */
    <T> Future<T> auditedChange(RoutingContext ctx, Function<Tx, Future<Change<T>>> change) {
        return auditedChange(ctx, null, change);
    }

    /** As above, with the operator's reason in the audit row. */
    <T> Future<T> auditedChange(RoutingContext ctx, String reason, Function<Tx, Future<Change<T>>> change) {
        return transactions.run(tx -> change.apply(tx).compose(c ->
                audit.append(tx, entry(ctx, c.targetType(), c.targetId(), reason, "ok", c.detail()))
                        .map(seq -> c.value())))
                .onSuccess(v -> ctx.put(Api.AUDITED, true));
    }

    /** An extra row after the first, e.g. the result of a live-call control or a stream that failed. */
    Future<Long> auditMore(RoutingContext ctx, String targetType, String targetId, String reason, String outcome,
                           JsonObject detail) {
        return audit.append(entry(ctx, targetType, targetId, reason, outcome, detail))
                .onFailure(e -> LOG.error("audit row '{}' not written: {}", outcome, ExternalText.forLog(e.getMessage())));
    }

    /** Blocking CPU work (Argon2id) on a small dedicated worker pool, never on the event loop. */
    <T> Future<T> blocking(Callable<T> work) {
        return hashing.executeBlocking(work, false);
    }

    /**
     * As {@link #blocking}, for sign-in: at most the hashing threads plus {@code CR_LOGIN_HASH_QUEUE}
     * hashes at once; beyond that 503 with Retry-After, so a flood costs neither memory nor latency.
     */
    <T> Future<T> hashBounded(Callable<T> work) {
        if (hashesWaiting.incrementAndGet() > HASHING_THREADS + config.login().hashQueue()) {
            hashesWaiting.decrementAndGet();
            return Future.failedFuture(new ApiError(503, "busy", "too many sign-ins are being checked; try again shortly",
                    new JsonObject().put("retry_after_seconds", 1)));
        }
        return hashing.executeBlocking(work, false).onComplete(ar -> hashesWaiting.decrementAndGet());
    }

    // ---- errors ------------------------------------------------------------------------------

    private void noRoute(RoutingContext ctx) {
        ctx.request().resume();
        String path = ctx.normalizedPath().substring(BASE.length());
        Set<String> allowed = new LinkedHashSet<>();
        for (int i = 0; i < routes.size(); i++) {
            if (routePatterns.get(i).matcher(path).matches()) {
                allowed.add(routes.get(i).method().name());
            }
        }
        if (allowed.isEmpty()) {
            ctx.fail(new ApiError(404, "no_route", "no such route: " + ctx.request().method().name() + " "
                    + QueryInput.clip(ctx.normalizedPath()) + " (see " + BASE + "/openapi.json)"));
        } else {
            ctx.response().putHeader("allow", String.join(", ", allowed));
            ctx.fail(new ApiError(405, "method_not_allowed", ctx.request().method().name() + " is not allowed on "
                    + QueryInput.clip(ctx.normalizedPath()) + "; allowed: " + String.join(", ", allowed)));
        }
    }

    private void failure(RoutingContext ctx) {
        // a body never read (refused before authentication) is let through and dropped
        ctx.request().resume();
        ApiError error = toApiError(ctx);
        if (error.status() == 401) {
            ctx.response().putHeader("www-authenticate", "Bearer realm=\"consent-recorder\"");
        }
        JsonObject body = error.body();
        if (body.containsKey("retry_after_seconds")) {
            ctx.response().putHeader("retry-after", String.valueOf(body.getLong("retry_after_seconds")));
        }
        ApiRoute route = Api.route(ctx);
        boolean needsRow = Api.principal(ctx) != null && route != null && route.audited()
                && !Boolean.TRUE.equals(ctx.get(Api.AUDITED));
        if (ctx.response().headWritten()) {
            // a stream failed after its headers went out: the client must not take a short body for a whole one
            ctx.response().reset();
            return;
        }
        if (needsRow) {
            ctx.put(Api.AUDITED, true);
            String target = ctx.pathParam("id");
            audit.append(entry(ctx, null, target == null ? null : QueryInput.clip(target), null,
                            "rejected:" + error.code(), new JsonObject().put("message", error.getMessage())))
                    .onComplete(ar -> Api.json(ctx, error.status(), body));
        } else {
            Api.json(ctx, error.status(), body);
        }
    }

    private ApiError toApiError(RoutingContext ctx) {
        Throwable f = ctx.failure();
        if (f instanceof ApiError e) {
            return e;
        }
        if (f instanceof PrivacyProblem p) {
            return switch (p.kind()) {
                case NOT_FOUND -> ApiError.notFound(p.getMessage());
                case CONFLICT -> ApiError.conflict(p.getMessage());
                case UNAVAILABLE -> ApiError.unavailable(p.getMessage());
            };
        }
        if (f instanceof DecodeException) {
            return ApiError.badRequest("the body is not valid JSON");
        }
        int status = ctx.statusCode();
        return switch (status) {
            case 413 -> new ApiError(413, "payload_too_large", "the body is larger than " + config.bodyLimitBytes() + " bytes");
            case 400 -> ApiError.badRequest("the request is malformed");
            case 404 -> new ApiError(404, "no_route", "no such route");
            case 405 -> new ApiError(405, "method_not_allowed", "method not allowed");
            default -> {
                LOG.error("admin API: {} {} failed", ctx.request().method(), QueryInput.clip(ctx.normalizedPath()), f);
                yield new ApiError(500, "internal_error", "internal error; the server log has the details");
            }
        };
    }

    // ---- what the route classes use -----------------------------------------------------------

    Vertx vertx() {
        return vertx;
    }

    AdminConfig config() {
        return config;
    }

    Transactions transactions() {
        return transactions;
    }

    AccountRepository accounts() {
        return accounts;
    }

    TokenRepository tokens() {
        return tokens;
    }

    AccountAccessRepository accountAccess() {
        return accountAccess;
    }

    PlaybackTickets playbackTickets() {
        return playbackTickets;
    }

    ApprovalRepository approvals() {
        return approvals;
    }

    CallSearchRepository callSearch() {
        return callSearch;
    }

    RecordingSearchRepository recordingSearch() {
        return recordingSearch;
    }

    AuditLog audit() {
        return audit;
    }

    AuditAnchoring anchoring() {
        return anchoring;
    }

    AuditRepository auditRows() {
        return auditRows;
    }

    LoginThrottleRepository throttleCounters() {
        return throttleCounters;
    }

    LoginThrottle throttle() {
        return throttle;
    }

    PasswordHasher hasher() {
        return hasher;
    }

    /** For tests: the password hasher, to count how many hashes a burst of logins cost. */
    public PasswordHasher passwordHasher() {
        return hasher;
    }

    MfaRepository mfa() {
        return mfa;
    }

    SecondFactors secondFactors() {
        return secondFactors;
    }

    CallDirectory calls() {
        return calls;
    }

    RecordingArchive archive() {
        return archive.get();
    }

    RecordingQuarantine quarantine() {
        return quarantine;
    }

    CallerIdentity identity() {
        return identity;
    }

    PrivacyServices privacy() {
        return privacy;
    }

    Clock clock() {
        return clock;
    }

    static String describe(Set<String> names) {
        return names.stream().sorted().collect(Collectors.joining(", "));
    }
}
