package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.store.Tx;

/** Session and API tokens in PostgreSQL (table {@code access_token} of V10); only their SHA-256 is stored. */
public final class TokenRepository {
    private final Pool pool;
    private final Clock clock;

    public TokenRepository(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** A token just issued: the token itself is shown once and never stored. */
    public record IssuedToken(UUID id, String token, Instant createdAt, Instant expiresAt) {
    }

    /** An API token as listed to admins (never the token or its hash). */
    public record ApiToken(UUID id, String name, Role role, Instant createdAt, String createdBy, Instant expiresAt,
                           Instant revokedAt, Instant lastUsedAt) {
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    /** Ends every session of an account (password change, disable, role change). */
    public Future<Void> revokeSessions(Tx tx, UUID accountId) {
        return tx.connection().preparedQuery("update access_token set revoked_at = $2 where account_id = $1 "
                        + "and revoked_at is null")
                .execute(Tuple.of(accountId, ts(now()))).mapEmpty();
    }

    /** Issues a session token for the account; returns the token (shown once) and its expiry. */
    public Future<IssuedToken> createSession(Tx tx, AccountRepository.Account account, Duration ttl) {
        return createSession(tx, account, ttl, false, false);
    }

    /**
     * As above; {@code secondFactor} when the login presented a TOTP or recovery code,
     * {@code enrolmentOnly} for a session that may only enrol a second factor.
     */
    public Future<IssuedToken> createSession(Tx tx, AccountRepository.Account account, Duration ttl,
                                             boolean secondFactor, boolean enrolmentOnly) {
        String token = Tokens.newToken(Tokens.SESSION_PREFIX);
        Instant now = now();
        Instant expires = now.plus(ttl);
        UUID id = UUID.randomUUID();
        return tx.connection().preparedQuery("insert into access_token (id, kind, token_hash, account_id, created_at, "
                        + "created_by, expires_at, second_factor, scope) values ($1, 'session', $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.of(id, Buffer.buffer(Tokens.hash(token)), account.id(), ts(now),
                        "login:" + account.username(), ts(expires), secondFactor,
                        enrolmentOnly ? "mfa_enrolment" : "full"))
                .map(r -> new IssuedToken(id, token, now, expires));
    }

    public Future<IssuedToken> createApiToken(Tx tx, String name, Role role, Instant expires, String createdBy) {
        return createApiToken(tx, name, role, expires, createdBy, List.of());
    }

    /** An API token; {@code endpoints} binds an agent token to the calls it may act on. */
    public Future<IssuedToken> createApiToken(Tx tx, String name, Role role, Instant expires, String createdBy,
                                              List<String> endpoints) {
        String token = Tokens.newToken(Tokens.API_PREFIX);
        Instant now = now();
        UUID id = UUID.randomUUID();
        return tx.connection().preparedQuery("insert into access_token (id, kind, token_hash, name, role, created_at, "
                        + "created_by, expires_at, endpoints) values ($1, 'api', $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.wrap(Arrays.asList(id, Buffer.buffer(Tokens.hash(token)), name, role.wire(), ts(now),
                        createdBy, ts(expires), endpoints.isEmpty() ? null : endpoints.toArray(new String[0]))))
                .map(r -> new IssuedToken(id, token, now, expires));
    }

    /** The principal behind a presented token, if the token is known, unexpired, unrevoked and its account enabled. */
    public Future<Optional<Principal>> authenticate(String token) {
        if (!Tokens.wellFormed(token)) {
            return Future.succeededFuture(Optional.empty());
        }
        return principal("t.token_hash = $1", Tuple.of(Buffer.buffer(Tokens.hash(token)), ts(now())));
    }

    /**
     * As {@link #authenticate}, for the token behind a playback ticket: the principal, if that token
     * is still unexpired, unrevoked and its account enabled.
     */
    public Future<Optional<Principal>> authenticateById(UUID tokenId) {
        return principal("t.id = $1", Tuple.of(tokenId, ts(now())));
    }

    private Future<Optional<Principal>> principal(String match, Tuple params) {
        return pool.preparedQuery("select t.id as token_id, t.kind, t.name, t.role as token_role, t.last_used_at, t.scope, t.second_factor, "
                        + "t.endpoints as token_endpoints, a.endpoints as account_endpoints, "
                        + "a.id as account_id, a.username, a.role as account_role, a.disabled "
                        + "from access_token t left join operator_account a on a.id = t.account_id "
                        + "where " + match + " and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2)")
                .execute(params)
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<Principal>empty();
                    }
                    Row r = rows.iterator().next();
                    UUID tokenId = r.getUUID("token_id");
                    if (r.getString("kind").equals("session")) {
                        if (r.getUUID("account_id") == null || r.getBoolean("disabled")) {
                            return Optional.<Principal>empty();
                        }
                        return Optional.of(new Principal(Principal.Kind.ACCOUNT, r.getUUID("account_id"),
                                r.getString("username"), Role.fromWire(r.getString("account_role")).orElseThrow(), tokenId,
                                r.getBoolean("second_factor"), "mfa_enrolment".equals(r.getString("scope")),
                                strings(r.getArrayOfStrings("account_endpoints"))));
                    }
                    touch(tokenId, r.getOffsetDateTime("last_used_at"));
                    return Optional.of(new Principal(Principal.Kind.API_TOKEN, tokenId, r.getString("name"),
                            Role.fromWire(r.getString("token_role")).orElseThrow(), tokenId, false, false,
                            strings(r.getArrayOfStrings("token_endpoints"))));
                });
    }

    private static List<String> strings(String[] a) {
        return a == null ? List.of() : List.of(a);
    }

    /** Records when an API token was last used, at most once a minute per token (best effort). */
    private void touch(UUID tokenId, OffsetDateTime lastUsed) {
        Instant now = now();
        if (lastUsed == null || lastUsed.toInstant().isBefore(now.minusSeconds(60))) {
            pool.preparedQuery("update access_token set last_used_at = $2 where id = $1")
                    .execute(Tuple.of(tokenId, ts(now)));
        }
    }

    /** After the account confirmed its second factor in this session: the session is a full one. */
    public Future<Void> upgradeSession(Tx tx, UUID tokenId) {
        return tx.connection().preparedQuery("update access_token set scope = 'full', second_factor = true "
                        + "where id = $1 and kind = 'session'")
                .execute(Tuple.of(tokenId)).mapEmpty();
    }

    public Future<Boolean> revoke(Tx tx, UUID tokenId, String kind) {
        return tx.connection().preparedQuery("update access_token set revoked_at = $2 where id = $1 and kind = $3 "
                        + "and revoked_at is null")
                .execute(Tuple.of(tokenId, ts(now()), kind)).map(r -> r.rowCount() == 1);
    }

    /** API tokens, newest first. */
    public Future<List<ApiToken>> listApiTokens(int limit, int offset) {
        return pool.preparedQuery("select id, name, role, created_at, created_by, expires_at, revoked_at, last_used_at "
                        + "from access_token where kind = 'api' order by created_at desc, id limit $1 offset $2")
                .execute(Tuple.of(limit, offset))
                .map(rows -> {
                    List<ApiToken> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new ApiToken(r.getUUID("id"), r.getString("name"),
                                Role.fromWire(r.getString("role")).orElseThrow(), instant(r, "created_at"),
                                r.getString("created_by"), instant(r, "expires_at"), instant(r, "revoked_at"),
                                instant(r, "last_used_at")));
                    }
                    return out;
                });
    }

    /** Session tokens that ended more than a day ago are of no use to anyone; API tokens stay as a record. */
    public Future<Integer> purgeOldSessions() {
        return pool.preparedQuery("delete from access_token where kind = 'session' and "
                        + "(expires_at < $1 or revoked_at < $1)")
                .execute(Tuple.of(ts(now().minus(Duration.ofDays(1))))).map(r -> r.rowCount());
    }
}
