package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/** Operator accounts and access tokens in PostgreSQL (tables of V10). */
public final class AccountStore {
    private final Pool pool;
    private final Clock clock;

    public AccountStore(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    public Pool pool() {
        return pool;
    }

    /** An account as stored; the hash never leaves the server. */
    public record Account(UUID id, String username, String passwordHash, Role role, boolean disabled,
                          Instant createdAt, String createdBy, Instant passwordChangedAt) {
        public JsonObject toJson() {
            return new JsonObject().put("id", id.toString()).put("username", username).put("role", role.wire())
                    .put("disabled", disabled).put("created_at", createdAt.toString()).put("created_by", createdBy)
                    .put("password_changed_at", passwordChangedAt.toString());
        }
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    static Account account(Row r) {
        return new Account(r.getUUID("id"), r.getString("username"), r.getString("password_hash"),
                Role.fromWire(r.getString("role")).orElseThrow(), r.getBoolean("disabled"),
                r.getOffsetDateTime("created_at").toInstant(), r.getString("created_by"),
                r.getOffsetDateTime("password_changed_at").toInstant());
    }

    public Future<Optional<Account>> byUsername(SqlClient c, String username) {
        return c.preparedQuery("select * from operator_account where username = $1").execute(Tuple.of(username))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(account(rows.iterator().next())));
    }

    public Future<Optional<Account>> byId(SqlClient c, UUID id, boolean forUpdate) {
        return c.preparedQuery("select * from operator_account where id = $1" + (forUpdate ? " for update" : ""))
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(account(rows.iterator().next())));
    }

    public Future<Account> create(SqlClient c, String username, String passwordHash, Role role, String createdBy) {
        Instant now = now();
        UUID id = UUID.randomUUID();
        return c.preparedQuery("insert into operator_account (id, username, password_hash, role, disabled, created_at, "
                        + "created_by, password_changed_at, updated_at) values ($1,$2,$3,$4,false,$5,$6,$5,$5) "
                        + "on conflict (username) do nothing")
                .execute(Tuple.of(id, username, passwordHash, role.wire(), ts(now), createdBy))
                .map(r -> {
                    if (r.rowCount() == 0) {
                        throw ApiError.conflict("an account named '" + username + "' exists already");
                    }
                    return new Account(id, username, passwordHash, role, false, now, createdBy, now);
                });
    }

    /** Active admins, locked for update so two admins cannot demote each other at once. */
    public Future<Integer> lockActiveAdmins(SqlClient c) {
        return c.query("select id from operator_account where role = 'admin' and not disabled order by id for update")
                .execute().map(rows -> rows.size());
    }

    public Future<Integer> countActiveAdmins(SqlClient c) {
        return c.query("select count(*) from operator_account where role = 'admin' and not disabled")
                .execute().map(rows -> rows.iterator().next().getLong(0).intValue());
    }

    public Future<Void> update(SqlClient c, UUID id, Role role, boolean disabled, String passwordHash) {
        Instant now = now();
        return c.preparedQuery("update operator_account set role = $2, disabled = $3, "
                        + "password_hash = coalesce($4, password_hash), "
                        + "password_changed_at = case when $4::text is null then password_changed_at else $5 end, "
                        + "updated_at = $5 where id = $1")
                .execute(Tuple.of(id, role.wire(), disabled, passwordHash, ts(now))).mapEmpty();
    }

    /** Ends every session of an account (password change, disable, role change). */
    public Future<Void> revokeSessions(SqlClient c, UUID accountId) {
        return c.preparedQuery("update access_token set revoked_at = $2 where account_id = $1 and revoked_at is null")
                .execute(Tuple.of(accountId, ts(now()))).mapEmpty();
    }

    /** Issues a session token for the account; returns the token (shown once) and its expiry. */
    public Future<IssuedToken> createSession(SqlClient c, Account account, Duration ttl) {
        String token = Tokens.newToken(Tokens.SESSION_PREFIX);
        Instant now = now();
        Instant expires = now.plus(ttl);
        UUID id = UUID.randomUUID();
        return c.preparedQuery("insert into access_token (id, kind, token_hash, account_id, created_at, created_by, expires_at) "
                        + "values ($1, 'session', $2, $3, $4, $5, $6)")
                .execute(Tuple.of(id, Buffer.buffer(Tokens.hash(token)), account.id(), ts(now),
                        "login:" + account.username(), ts(expires)))
                .map(r -> new IssuedToken(id, token, now, expires));
    }

    public Future<IssuedToken> createApiToken(SqlClient c, String name, Role role, Instant expires, String createdBy) {
        String token = Tokens.newToken(Tokens.API_PREFIX);
        Instant now = now();
        UUID id = UUID.randomUUID();
        return c.preparedQuery("insert into access_token (id, kind, token_hash, name, role, created_at, created_by, expires_at) "
                        + "values ($1, 'api', $2, $3, $4, $5, $6, $7)")
                .execute(Tuple.wrap(Arrays.asList(id, Buffer.buffer(Tokens.hash(token)), name, role.wire(), ts(now),
                        createdBy, ts(expires))))
                .map(r -> new IssuedToken(id, token, now, expires));
    }

    public record IssuedToken(UUID id, String token, Instant createdAt, Instant expiresAt) {
    }

    /** The principal behind a presented token, if the token is known, unexpired, unrevoked and its account enabled. */
    public Future<Optional<Principal>> authenticate(String token) {
        if (!Tokens.wellFormed(token)) {
            return Future.succeededFuture(Optional.empty());
        }
        return pool.preparedQuery("select t.id as token_id, t.kind, t.name, t.role as token_role, t.last_used_at, "
                        + "a.id as account_id, a.username, a.role as account_role, a.disabled "
                        + "from access_token t left join operator_account a on a.id = t.account_id "
                        + "where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2)")
                .execute(Tuple.of(Buffer.buffer(Tokens.hash(token)), ts(now())))
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
                                r.getString("username"), Role.fromWire(r.getString("account_role")).orElseThrow(), tokenId));
                    }
                    touch(tokenId, r.getOffsetDateTime("last_used_at"));
                    return Optional.of(new Principal(Principal.Kind.API_TOKEN, tokenId, r.getString("name"),
                            Role.fromWire(r.getString("token_role")).orElseThrow(), tokenId));
                });
    }

    /** Records when an API token was last used, at most once a minute per token (best effort). */
    private void touch(UUID tokenId, OffsetDateTime lastUsed) {
        Instant now = now();
        if (lastUsed == null || lastUsed.toInstant().isBefore(now.minusSeconds(60))) {
            pool.preparedQuery("update access_token set last_used_at = $2 where id = $1")
                    .execute(Tuple.of(tokenId, ts(now)));
        }
    }

    public Future<Boolean> revoke(SqlClient c, UUID tokenId, String kind) {
        return c.preparedQuery("update access_token set revoked_at = $2 where id = $1 and kind = $3 and revoked_at is null")
                .execute(Tuple.of(tokenId, ts(now()), kind)).map(r -> r.rowCount() == 1);
    }

    /** Session tokens that ended more than a day ago are of no use to anyone; API tokens stay as a record. */
    public Future<Integer> purgeOldSessions() {
        return pool.preparedQuery("delete from access_token where kind = 'session' and "
                        + "(expires_at < $1 or revoked_at < $1)")
                .execute(Tuple.of(ts(now().minus(Duration.ofDays(1))))).map(r -> r.rowCount());
    }
}
