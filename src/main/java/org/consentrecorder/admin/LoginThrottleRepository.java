package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consentrecorder.store.Tx;

/** The login throttling counters (table {@code login_throttle} of V22), shared by every instance. */
public final class LoginThrottleRepository {
    private final Pool pool;

    public LoginThrottleRepository(Pool pool) {
        this.pool = pool;
    }

    private static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(Row r, String c) {
        OffsetDateTime t = r.getOffsetDateTime(c);
        return t == null ? null : t.toInstant();
    }

    /** Locks the counters of these keys (created at zero when missing) until the transaction ends; sorted to avoid deadlocks. */
    public Future<Map<String, LoginThrottle.Counter>> lock(Tx tx, List<String> keys, Instant now) {
        List<String> sorted = keys.stream().sorted().distinct().toList();
        List<Tuple> batch = new ArrayList<>();
        sorted.forEach(k -> batch.add(Tuple.of(k, ts(now))));
        return tx.connection().preparedQuery("insert into login_throttle (key, updated_at) values ($1, $2) "
                        + "on conflict (key) do nothing")
                .executeBatch(batch)
                .compose(v -> tx.connection().preparedQuery("select key, failures, pending, pending_since, last_failure "
                                + "from login_throttle where key = any($1) order by key for update")
                        .execute(Tuple.of(sorted.toArray(new String[0]))))
                .map(rows -> {
                    Map<String, LoginThrottle.Counter> out = new LinkedHashMap<>();
                    for (Row r : rows) {
                        out.put(r.getString("key"), new LoginThrottle.Counter(r.getInteger("failures"),
                                r.getInteger("pending"), instant(r, "pending_since"), instant(r, "last_failure")));
                    }
                    return out;
                });
    }

    public Future<Void> save(Tx tx, Map<String, LoginThrottle.Counter> counters, Instant now) {
        List<Tuple> batch = new ArrayList<>();
        counters.forEach((k, c) -> batch.add(Tuple.of(k, c.failures(), c.pending(), ts(c.pendingSince()),
                ts(c.lastFailure()), ts(now))));
        return tx.connection().preparedQuery("update login_throttle set failures = $2, pending = $3, pending_since = $4, "
                        + "last_failure = $5, updated_at = $6 where key = $1")
                .executeBatch(batch).mapEmpty();
    }

    /** Forgets counters with nothing pending whose last failure (or creation) is older than {@code before}. */
    public Future<Integer> sweep(Instant before) {
        return pool.preparedQuery("delete from login_throttle where pending = 0 and coalesce(last_failure, updated_at) < $1")
                .execute(Tuple.of(ts(before))).map(r -> r.rowCount());
    }

    /** Clears an account's counters everywhere (unlock). */
    public Future<Void> clearAccount(Tx tx, String username) {
        return tx.connection().preparedQuery("delete from login_throttle where key = $1 or (key like 'pair:%' and "
                        + "split_part(substr(key, 6), '|', 1) = $2)")
                .execute(Tuple.of(LoginThrottle.accountKey(username), username)).mapEmpty();
    }
}
