package org.consentrecorder.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.function.Function;

/**
 * Work that spans several repositories in one transaction: the repositories' methods take the
 * {@link Tx}; whoever composes them (a route, a service) never sees a connection or a statement.
 */
public final class Transactions {
    private final Pool pool;

    public Transactions(Pool pool) {
        this.pool = pool;
    }

    /** Commits when the work's future succeeds, rolls back when it fails. */
    public <T> Future<T> run(Function<Tx, Future<T>> work) {
        return pool.withTransaction(connection -> work.apply(Tx.on(connection)));
    }

    /**
     * Under the subject's exclusive lock ({@link SubjectLocks}): runs {@code work} in a transaction,
     * then, once it has committed and still under the lock, {@code afterCommit} (e.g. destroying the
     * subject key, which must not race a recording being archived under it). The lock is released
     * and the connection returned whatever happens.
     */
    public <R, T> Future<T> underSubjectLock(String subject, Function<Tx, Future<R>> work,
                                             Function<R, Future<T>> afterCommit) {
        return pool.getConnection().compose(conn -> SubjectLocks.lockExclusive(conn, subject)
                .compose(v -> conn.begin())
                .compose(tx -> work.apply(Tx.on(conn))
                        .compose(r -> tx.commit().map(r))
                        .recover(e -> tx.rollback().transform(ignored -> Future.<R>failedFuture(e))))
                .compose(afterCommit)
                .eventually(() -> SubjectLocks.unlockExclusive(conn, subject))
                .eventually(conn::close));
    }
}
