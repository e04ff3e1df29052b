package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
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
import org.consentrecorder.crypto.KekId;
import org.consentrecorder.store.Tx;

/** Second factors (tables {@code operator_mfa}, {@code operator_recovery_code}, {@code login_challenge} of V22). */
public final class MfaRepository {
    private final Pool pool;
    private final Clock clock;

    public MfaRepository(Pool pool, Clock clock) {
        this.pool = pool;
        this.clock = clock;
    }

    /** An enrolment: the sealed secret, whether confirmed, and the last step used. */
    public record Enrolment(UUID accountId, KekId kekId, byte[] sealed, boolean confirmed, long lastStep) {
    }

    /** A pending second sign-in step. */
    public record Challenge(UUID accountId, int attempts, Instant expiresAt, boolean used) {
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static OffsetDateTime ts(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Enrolment enrolment(Row r) {
        return new Enrolment(r.getUUID("account_id"), KekId.parse(r.getString("kek_id")),
                r.getBuffer("secret_sealed").getBytes(), r.getOffsetDateTime("confirmed_at") != null, r.getLong("last_step"));
    }

    public Future<Optional<Enrolment>> enrolment(UUID accountId) {
        return pool.preparedQuery("select * from operator_mfa where account_id = $1").execute(Tuple.of(accountId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(enrolment(rows.iterator().next())));
    }

    public Future<Optional<Enrolment>> enrolment(Tx tx, UUID accountId) {
        return tx.connection().preparedQuery("select * from operator_mfa where account_id = $1 for update")
                .execute(Tuple.of(accountId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(enrolment(rows.iterator().next())));
    }

    /** Which of these accounts have a confirmed second factor (for the account list). */
    public Future<java.util.Set<UUID>> confirmedAmong(List<UUID> accountIds) {
        if (accountIds.isEmpty()) {
            return Future.succeededFuture(java.util.Set.of());
        }
        return pool.preparedQuery("select account_id from operator_mfa where confirmed_at is not null "
                        + "and account_id = any($1)")
                .execute(Tuple.of(accountIds.toArray(new UUID[0])))
                .map(rows -> {
                    java.util.Set<UUID> out = new java.util.HashSet<>();
                    rows.forEach(r -> out.add(r.getUUID("account_id")));
                    return out;
                });
    }

    /** Starts (or restarts) an unconfirmed enrolment; a confirmed one is never replaced here. */
    public Future<Boolean> begin(Tx tx, UUID accountId, KekId kekId, byte[] sealed) {
        return tx.connection().preparedQuery("insert into operator_mfa (account_id, kek_id, secret_sealed, created_at) "
                        + "values ($1, $2, $3, $4) on conflict (account_id) do update set kek_id = excluded.kek_id, "
                        + "secret_sealed = excluded.secret_sealed, created_at = excluded.created_at, last_step = -1 "
                        + "where operator_mfa.confirmed_at is null")
                .execute(Tuple.of(accountId, kekId.toString(), Buffer.buffer(sealed), ts(now())))
                .map(r -> r.rowCount() == 1);
    }

    /** Records the accepted step (and confirms the enrolment); false if a newer step was used meanwhile. */
    public Future<Boolean> useStep(Tx tx, UUID accountId, long step) {
        return tx.connection().preparedQuery("update operator_mfa set last_step = $2, "
                        + "confirmed_at = coalesce(confirmed_at, $3) where account_id = $1 and last_step < $2")
                .execute(Tuple.of(accountId, step, ts(now()))).map(r -> r.rowCount() == 1);
    }

    /** Replaces the recovery codes (hashes only). */
    public Future<Void> replaceRecoveryCodes(Tx tx, UUID accountId, List<byte[]> hashes) {
        List<Tuple> batch = new ArrayList<>();
        hashes.forEach(h -> batch.add(Tuple.of(accountId, Buffer.buffer(h))));
        return tx.connection().preparedQuery("delete from operator_recovery_code where account_id = $1")
                .execute(Tuple.of(accountId))
                .compose(v -> tx.connection().preparedQuery("insert into operator_recovery_code (account_id, code_hash) "
                        + "values ($1, $2)").executeBatch(batch))
                .mapEmpty();
    }

    /** Spends a recovery code: true once per code, never again. */
    public Future<Boolean> useRecoveryCode(Tx tx, UUID accountId, byte[] hash) {
        return tx.connection().preparedQuery("update operator_recovery_code set used_at = $3 "
                        + "where account_id = $1 and code_hash = $2 and used_at is null")
                .execute(Tuple.of(accountId, Buffer.buffer(hash), ts(now()))).map(r -> r.rowCount() == 1);
    }

    public Future<Integer> unusedRecoveryCodes(UUID accountId) {
        return pool.preparedQuery("select count(*) from operator_recovery_code where account_id = $1 and used_at is null")
                .execute(Tuple.of(accountId)).map(rows -> rows.iterator().next().getLong(0).intValue());
    }

    /** Removes the second factor (admin reset); true when there was one. */
    public Future<Boolean> reset(Tx tx, UUID accountId) {
        return tx.connection().preparedQuery("delete from operator_recovery_code where account_id = $1")
                .execute(Tuple.of(accountId))
                .compose(v -> tx.connection().preparedQuery("delete from operator_mfa where account_id = $1")
                        .execute(Tuple.of(accountId)))
                .map(r -> r.rowCount() == 1);
    }

    public Future<Void> createChallenge(byte[] idHash, UUID accountId, String source, Instant expiresAt) {
        return pool.preparedQuery("insert into login_challenge (id_hash, account_id, source, expires_at) values ($1, $2, $3, $4)")
                .execute(Tuple.of(Buffer.buffer(idHash), accountId, source, ts(expiresAt))).mapEmpty();
    }

    /**
     * Counts one attempt on a live challenge, atomically: empty when the challenge is unknown,
     * expired, used or has no attempts left.
     */
    public Future<Optional<UUID>> attemptChallenge(byte[] idHash, int maxAttempts) {
        return pool.preparedQuery("update login_challenge set attempts = attempts + 1 where id_hash = $1 "
                        + "and used_at is null and expires_at > $2 and attempts < $3 returning account_id")
                .execute(Tuple.of(Buffer.buffer(idHash), ts(now()), maxAttempts))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getUUID(0)));
    }

    /** Spends the challenge; false if another request spent it first. */
    public Future<Boolean> spendChallenge(Tx tx, byte[] idHash) {
        return tx.connection().preparedQuery("update login_challenge set used_at = $2 where id_hash = $1 and used_at is null")
                .execute(Tuple.of(Buffer.buffer(idHash), ts(now()))).map(r -> r.rowCount() == 1);
    }

    public Future<Integer> purgeChallenges() {
        return pool.preparedQuery("delete from login_challenge where expires_at < $1")
                .execute(Tuple.of(ts(now().minusSeconds(3600)))).map(r -> r.rowCount());
    }
}
