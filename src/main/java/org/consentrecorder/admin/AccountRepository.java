package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.store.Tx;

/** Operator accounts in PostgreSQL (table {@code operator_account} of V10). */
public final class AccountRepository {
    private final Pool pool;
    private final Clock clock;

    public AccountRepository(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** An account as stored; the hash never leaves the server. */
    public record Account(UUID id, String username, String passwordHash, Role role, boolean disabled,
                          Instant createdAt, String createdBy, Instant passwordChangedAt, Instant lockedAt,
                          boolean mustChangePassword, Instant passwordExpiresAt, List<String> endpoints) {
        public Account {
            endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        }

        public boolean locked() {
            return lockedAt != null;
        }

        /** The admin-set temporary password is past its time: only a new reset lets the account in. */
        public boolean temporaryPasswordExpired(Instant now) {
            return mustChangePassword && passwordExpiresAt != null && !now.isBefore(passwordExpiresAt);
        }

        public JsonObject toJson() {
            return new JsonObject().put("id", id.toString()).put("username", username).put("role", role.wire())
                    .put("disabled", disabled).put("created_at", createdAt.toString()).put("created_by", createdBy)
                    .put("password_changed_at", passwordChangedAt.toString())
                    .put("locked", lockedAt != null).put("locked_at", lockedAt == null ? null : lockedAt.toString())
                    .put("must_change_password", mustChangePassword)
                    .put("password_expires_at", passwordExpiresAt == null ? null : passwordExpiresAt.toString())
                    .put("endpoints", new io.vertx.core.json.JsonArray(new ArrayList<Object>(endpoints)));
        }
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Account account(Row r) {
        return new Account(r.getUUID("id"), r.getString("username"), r.getString("password_hash"),
                Role.fromWire(r.getString("role")).orElseThrow(), r.getBoolean("disabled"),
                r.getOffsetDateTime("created_at").toInstant(), r.getString("created_by"),
                r.getOffsetDateTime("password_changed_at").toInstant(),
                r.getOffsetDateTime("locked_at") == null ? null : r.getOffsetDateTime("locked_at").toInstant(),
                r.getBoolean("must_change_password"),
                r.getOffsetDateTime("password_expires_at") == null ? null : r.getOffsetDateTime("password_expires_at").toInstant(),
                r.getArrayOfStrings("endpoints") == null ? List.of() : List.of(r.getArrayOfStrings("endpoints")));
    }

    private static Optional<Account> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(account(rows.iterator().next()));
    }

    public Future<Optional<Account>> byUsername(String username) {
        return pool.preparedQuery("select * from operator_account where username = $1").execute(Tuple.of(username))
                .map(AccountRepository::first);
    }

    public Future<Optional<Account>> byId(UUID id) {
        return byId(pool, id, false);
    }

    /** Inside a transaction; {@code forUpdate} locks the row until it ends. */
    public Future<Optional<Account>> byId(Tx tx, UUID id, boolean forUpdate) {
        return byId(tx.connection(), id, forUpdate);
    }

    private static Future<Optional<Account>> byId(SqlClient c, UUID id, boolean forUpdate) {
        return c.preparedQuery("select * from operator_account where id = $1" + (forUpdate ? " for update" : ""))
                .execute(Tuple.of(id))
                .map(AccountRepository::first);
    }

    /** A page in user-name order. */
    public Future<List<Account>> list(int limit, int offset) {
        return pool.preparedQuery("select * from operator_account order by username limit $1 offset $2")
                .execute(Tuple.of(limit, offset))
                .map(rows -> {
                    List<Account> out = new ArrayList<>();
                    rows.forEach(r -> out.add(account(r)));
                    return out;
                });
    }

    /** An account whose password its own operator chose (the command line, the configured first admin). */
    public Future<Account> create(Tx tx, String username, String passwordHash, Role role, String createdBy) {
        return create(tx, username, passwordHash, role, createdBy, null);
    }

    /**
     * An account; with {@code temporaryUntil} its password was set by an admin and must be changed
     * at the first sign-in before that time.
     */
    public Future<Account> create(Tx tx, String username, String passwordHash, Role role, String createdBy,
                                  Instant temporaryUntil) {
        Instant now = now();
        UUID id = UUID.randomUUID();
        return tx.connection().preparedQuery("insert into operator_account (id, username, password_hash, role, disabled, "
                        + "created_at, created_by, password_changed_at, updated_at, must_change_password, "
                        + "password_expires_at) values ($1,$2,$3,$4,false,$5,$6,$5,$5,$7,$8) "
                        + "on conflict (username) do nothing")
                .execute(Tuple.wrap(java.util.Arrays.asList(id, username, passwordHash, role.wire(), ts(now), createdBy,
                        temporaryUntil != null, ts(temporaryUntil))))
                .map(r -> {
                    if (r.rowCount() == 0) {
                        throw ApiError.conflict("an account named '" + username + "' exists already");
                    }
                    return new Account(id, username, passwordHash, role, false, now, createdBy, now, null,
                            temporaryUntil != null, temporaryUntil, List.of());
                });
    }

    /** Active admins, locked for update so two admins cannot demote each other at once. */
    public Future<Integer> lockActiveAdmins(Tx tx) {
        return tx.connection().query("select id from operator_account where role = 'admin' and not disabled "
                        + "order by id for update")
                .execute().map(rows -> rows.size());
    }

    public Future<Integer> countActiveAdmins() {
        return pool.query("select count(*) from operator_account where role = 'admin' and not disabled")
                .execute().map(rows -> rows.iterator().next().getLong(0).intValue());
    }

    /**
     * Role, disabled and (when not null) an admin-set password, which is temporary: the account
     * must change it at its next sign-in, before {@code temporaryUntil}.
     */
    public Future<Void> update(Tx tx, UUID id, Role role, boolean disabled, String passwordHash, Instant temporaryUntil) {
        Instant now = now();
        return tx.connection().preparedQuery("update operator_account set role = $2, disabled = $3, "
                        + "password_hash = coalesce($4, password_hash), "
                        + "password_changed_at = case when $4::text is null then password_changed_at else $5 end, "
                        + "must_change_password = case when $4::text is null then must_change_password else true end, "
                        + "password_expires_at = case when $4::text is null then password_expires_at else $6 end, "
                        + "updated_at = $5 where id = $1")
                .execute(Tuple.wrap(java.util.Arrays.asList(id, role.wire(), disabled, passwordHash, ts(now),
                        ts(temporaryUntil)))).mapEmpty();
    }

    /** The endpoints an agent account acts for (see AgentScope); empty: none. */
    public Future<Void> setEndpoints(Tx tx, UUID id, List<String> endpoints) {
        return tx.connection().preparedQuery("update operator_account set endpoints = $2, updated_at = $3 where id = $1")
                .execute(Tuple.of(id, endpoints.isEmpty() ? null : endpoints.toArray(new String[0]), ts(now())))
                .mapEmpty();
    }

    /** The operator set their own password (first sign-in after a temporary one): no longer temporary. */
    public Future<Void> setOwnPassword(Tx tx, UUID id, String passwordHash) {
        Instant now = now();
        return tx.connection().preparedQuery("update operator_account set password_hash = $2, password_changed_at = $3, "
                        + "must_change_password = false, password_expires_at = null, updated_at = $3 where id = $1")
                .execute(Tuple.of(id, passwordHash, ts(now))).mapEmpty();
    }

    /** Active admins other than {@code except}: who could approve a change that one admin asks for. */
    public Future<Integer> countOtherActiveAdmins(Tx tx, UUID except) {
        return tx.connection().preparedQuery("select count(*) from operator_account where role = 'admin' "
                        + "and not disabled and id <> $1")
                .execute(Tuple.of(except)).map(rows -> rows.iterator().next().getLong(0).intValue());
    }

    /** Locks an account after too many failed logins; true when it was not locked already. */
    public Future<Boolean> lock(Tx tx, String username) {
        return tx.connection().preparedQuery("update operator_account set locked_at = $2, updated_at = $2 "
                        + "where username = $1 and locked_at is null")
                .execute(Tuple.of(username, ts(now()))).map(r -> r.rowCount() == 1);
    }

    /** Lifts the lock; true when the account was locked. */
    public Future<Boolean> unlock(Tx tx, UUID id) {
        return tx.connection().preparedQuery("update operator_account set locked_at = null, updated_at = $2 "
                        + "where id = $1 and locked_at is not null")
                .execute(Tuple.of(id, ts(now()))).map(r -> r.rowCount() == 1);
    }
}
