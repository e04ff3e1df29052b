package org.consentrecorder.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The lease on one Asterisk server's ARI application in PostgreSQL (table ari_lease, V36): whoever holds it
 * serves that server's calls; the others stand by. A lease is taken only once it has expired by the database's clock,
 * and every take-over adds one to its generation, which every per-server write carries ({@link Fence}) and the
 * database checks ({@code cr_fence}): a holder that was frozen or cut off past its lease is refused even if it does
 * not know yet that it lost it.
 *
 * <p>Why a table and not session advisory locks: an advisory lock is held by a connection, so a holder frozen by a
 * pause (GC, SIGSTOP) keeps it for as long as its TCP connection lives (minutes with default keep-alives), and the
 * standby cannot take over within seconds; a lock has no generation to fence stale writes with; and a pooled
 * connection that is closed and reopened silently drops it. A row with an expiry by the database clock and a counter
 * has none of these problems and costs one small update per renewal.
 */
public final class ServerLease {
    /** SQLSTATE raised by cr_fence for a stale generation. */
    public static final String STALE_SQLSTATE = "CRF01";

    private final Pool pool;
    private final String server;
    private final String holder;

    public ServerLease(Pool pool, String server, String holder) {
        this.pool = pool;
        this.server = server;
        this.holder = holder;
    }

    public String server() {
        return server;
    }

    public String holder() {
        return holder;
    }

    /** Takes the lease if nobody holds it (no row, or expired); the new generation, or empty if another holds it. */
    public Future<Optional<Long>> tryAcquire(Duration ttl) {
        return pool.preparedQuery("insert into ari_lease (server, holder, generation, acquired_at, expires_at) "
                        + "values ($1, $2, 1, now(), now() + $3 * interval '1 millisecond') "
                        + "on conflict (server) do update set holder = excluded.holder, "
                        + "generation = ari_lease.generation + 1, acquired_at = excluded.acquired_at, "
                        + "expires_at = excluded.expires_at where ari_lease.expires_at < now() returning generation")
                .execute(Tuple.of(server, holder, ttl.toMillis()))
                .map(rows -> rows.size() == 1 ? Optional.of(rows.iterator().next().getLong(0)) : Optional.<Long>empty());
    }

    /** Extends the lease at {@code generation}; false if it is no longer ours (taken over, or released). */
    public Future<Boolean> renew(long generation, Duration ttl) {
        return pool.preparedQuery("update ari_lease set expires_at = now() + $4 * interval '1 millisecond' "
                        + "where server = $1 and holder = $2 and generation = $3 and expires_at >= now()")
                .execute(Tuple.of(server, holder, generation, ttl.toMillis()))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Gives the lease up at once (an orderly stop), so that a standby need not wait for it to expire. */
    public Future<Void> release(long generation) {
        return pool.preparedQuery("update ari_lease set expires_at = now() - interval '1 millisecond' "
                        + "where server = $1 and holder = $2 and generation = $3")
                .execute(Tuple.of(server, holder, generation))
                .mapEmpty();
    }

    /** Who holds the server now and at which generation (holder, generation), if anyone ever did. */
    public Future<Optional<Holding>> current() {
        return pool.preparedQuery("select holder, generation, expires_at >= now() as live from ari_lease where server = $1")
                .execute(Tuple.of(server))
                .map(rows -> rows.size() == 0 ? Optional.<Holding>empty() : Optional.of(rows.iterator().next())
                        .map(r -> new Holding(r.getString(0), r.getLong(1), r.getBoolean(2))));
    }

    /** A row of the lease table. */
    public record Holding(String holder, long generation, boolean live) {
    }

    /**
     * Runs {@code write} in one transaction after checking {@code fence} there: the write commits only if the fence's
     * generation is still the server's. A stale one fails with {@link StaleLeaseException}.
     */
    public static <T> Future<T> fenced(Pool pool, Fence fence, Function<SqlConnection, Future<T>> write) {
        if (!fence.fenced()) {
            return pool.withTransaction(write);
        }
        long generation = fence.generation();
        return pool.withTransaction(tx -> tx.preparedQuery("select cr_fence($1, $2)")
                        .execute(Tuple.of(fence.server(), generation))
                        .compose(ok -> write.apply(tx)))
                .recover(e -> Sql.staleLease(e) ? Future.failedFuture(new StaleLeaseException(fence.server()))
                        : Future.failedFuture(e));
    }
}
