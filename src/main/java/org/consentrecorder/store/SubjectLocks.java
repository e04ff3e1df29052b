package org.consentrecorder.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * PostgreSQL advisory locks on a data subject, held on one connection (session locks).
 *
 * <p>The archive holds the shared lock while it issues a data key under the subject's key and
 * writes the ciphertext; erasure and retention hold the exclusive lock while they decide that a
 * subject key may be destroyed and destroy it. So a key is never destroyed under a recording that
 * is being written, and no recording is written under a key that is being destroyed. Keys live in
 * the two-int lock space ({@link #NAMESPACE}, hash), which does not overlap the bigint space the
 * archive uses for its per-recording locks.
 */
public final class SubjectLocks {
    /** First key of subject locks ("CR" 0x0001). */
    public static final int NAMESPACE = 0x43520001;

    private SubjectLocks() {
    }

    /** 32 bits of SHA-256 of the subject id: a collision only makes two subjects wait for each other. */
    public static int key(String subject) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
            return (h[0] & 0xff) << 24 | (h[1] & 0xff) << 16 | (h[2] & 0xff) << 8 | (h[3] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Future<Void> lockShared(SqlConnection conn, String subject) {
        return run(conn, "select pg_advisory_lock_shared($1, $2)", subject);
    }

    public static Future<Void> unlockShared(SqlConnection conn, String subject) {
        return run(conn, "select pg_advisory_unlock_shared($1, $2)", subject).recover(e -> Future.succeededFuture());
    }

    public static Future<Void> lockExclusive(SqlConnection conn, String subject) {
        return run(conn, "select pg_advisory_lock($1, $2)", subject);
    }

    public static Future<Void> unlockExclusive(SqlConnection conn, String subject) {
        return run(conn, "select pg_advisory_unlock($1, $2)", subject).recover(e -> Future.succeededFuture());
    }

    private static Future<Void> run(SqlConnection conn, String sql, String subject) {
        return conn.preparedQuery(sql).execute(Tuple.of(NAMESPACE, key(subject))).mapEmpty();
    }
}
