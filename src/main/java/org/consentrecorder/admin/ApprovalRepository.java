package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.store.Tx;

/** Changes one admin asked for and a second admin must approve (table {@code role_approval} of V30). */
public final class ApprovalRepository {
    private final Pool pool;
    private final Clock clock;

    public ApprovalRepository(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    public enum Kind {
        ACCOUNT_CREATE, ACCOUNT_UPDATE, API_TOKEN;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Kind fromWire(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * A request: for an account, its user name, the role, disabled, and the admin-set temporary
     * password's hash (kept only until the decision); for a token, its name, role and lifetime.
     */
    public record Approval(UUID id, Kind kind, UUID accountId, String username, String tokenName, Role role,
                           Boolean disabled, String passwordHash, Integer expiresInDays, UUID requestedBy,
                           Instant requestedAt, String status, UUID decidedBy, Instant decidedAt, UUID resultId) {

        /** What an admin sees: never the password hash. */
        public JsonObject toJson() {
            return new JsonObject().put("id", id.toString()).put("kind", kind.wire())
                    .put("account_id", accountId == null ? null : accountId.toString())
                    .put("username", username).put("token_name", tokenName)
                    .put("role", role == null ? null : role.wire()).put("disabled", disabled)
                    .put("sets_password", passwordHash != null).put("expires_in_days", expiresInDays)
                    .put("requested_by", requestedBy.toString()).put("requested_at", requestedAt.toString())
                    .put("status", status)
                    .put("decided_by", decidedBy == null ? null : decidedBy.toString())
                    .put("decided_at", decidedAt == null ? null : decidedAt.toString())
                    .put("result_id", resultId == null ? null : resultId.toString());
        }
    }

    private static Approval approval(Row r) {
        return new Approval(r.getUUID("id"), Kind.fromWire(r.getString("kind")), r.getUUID("account_id"),
                r.getString("username"), r.getString("token_name"),
                r.getString("role") == null ? null : Role.fromWire(r.getString("role")).orElseThrow(),
                r.getBoolean("disabled"), r.getString("password_hash"), r.getInteger("expires_in_days"),
                r.getUUID("requested_by"), r.getOffsetDateTime("requested_at").toInstant(), r.getString("status"),
                r.getUUID("decided_by"),
                r.getOffsetDateTime("decided_at") == null ? null : r.getOffsetDateTime("decided_at").toInstant(),
                r.getUUID("result_id"));
    }

    public Future<Approval> request(Tx tx, Kind kind, UUID accountId, String username, String tokenName, Role role,
                                    Boolean disabled, String passwordHash, Integer expiresInDays, UUID requestedBy) {
        UUID id = UUID.randomUUID();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return tx.connection().preparedQuery("insert into role_approval (id, kind, account_id, username, token_name, role, "
                        + "disabled, password_hash, expires_in_days, requested_by, requested_at, status) "
                        + "values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,'pending')")
                .execute(Tuple.wrap(Arrays.asList(id, kind.wire(), accountId, username, tokenName,
                        role == null ? null : role.wire(), disabled, passwordHash, expiresInDays, requestedBy,
                        AccountRepository.ts(now))))
                .map(r -> new Approval(id, kind, accountId, username, tokenName, role, disabled, passwordHash,
                        expiresInDays, requestedBy, now, "pending", null, null, null));
    }

    /** The request, locked until the transaction ends. */
    public Future<Optional<Approval>> forDecision(Tx tx, UUID id) {
        return tx.connection().preparedQuery("select * from role_approval where id = $1 for update").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(approval(rows.iterator().next())));
    }

    /** Approved or refused; the temporary password's hash is dropped either way. */
    public Future<Void> decide(Tx tx, UUID id, boolean approved, UUID decidedBy, UUID resultId) {
        return tx.connection().preparedQuery("update role_approval set status = $2, decided_by = $3, decided_at = $4, "
                        + "result_id = $5, password_hash = null where id = $1 and status = 'pending'")
                .execute(Tuple.wrap(Arrays.asList(id, approved ? "approved" : "refused", decidedBy,
                        AccountRepository.ts(clock.instant().truncatedTo(ChronoUnit.MILLIS)), resultId)))
                .map(r -> {
                    if (r.rowCount() != 1) {
                        throw ApiError.conflict("the request was decided already");
                    }
                    return null;
                });
    }

    /** Newest first; {@code pendingOnly} for what waits for a decision. */
    public Future<List<Approval>> list(boolean pendingOnly, int limit, int offset) {
        return pool.preparedQuery("select * from role_approval" + (pendingOnly ? " where status = 'pending'" : "")
                        + " order by requested_at desc, id limit $1 offset $2")
                .execute(Tuple.of(limit, offset))
                .map(rows -> {
                    List<Approval> out = new ArrayList<>();
                    rows.forEach(r -> out.add(approval(r)));
                    return out;
                });
    }
}
