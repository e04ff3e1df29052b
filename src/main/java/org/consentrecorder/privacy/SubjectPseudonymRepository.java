package org.consentrecorder.privacy;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import org.consentrecorder.store.Tx;

/**
 * Random pseudonyms that stand for a data subject in the audit trail. The audit log is append-only
 * and hash-chained, so a phone number written there could never be erased; a pseudonym can be
 * unlinked instead: erasure deletes the {@code subject_pseudonym} row and the audit rows that name
 * it no longer point at anybody. Random rather than a hash of the number: a hash of a phone number
 * can be reversed by trying every number.
 */
public final class SubjectPseudonymRepository {
    public static final String PREFIX = "subj-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pool pool;

    public SubjectPseudonymRepository(Pool pool) {
        this.pool = pool;
    }

    /** The subject's pseudonym, created on first use. */
    public Future<String> of(String subject) {
        return of(pool, subject);
    }

    /** As {@link #of(String)}, inside the transaction that writes the audit row naming it. */
    public Future<String> of(Tx tx, String subject) {
        return of(tx.connection(), subject);
    }

    private static Future<String> of(SqlClient client, String subject) {
        return client.preparedQuery("insert into subject_pseudonym (subject, pseudonym) values ($1, $2) "
                        + "on conflict (subject) do update set last_used_at = clock_timestamp() returning pseudonym")
                .execute(Tuple.of(subject, fresh()))
                .map(rows -> rows.iterator().next().getString(0));
    }

    /** The subject's pseudonym if one was ever given out. */
    public Future<Optional<String>> find(String subject) {
        return pool.preparedQuery("select pseudonym from subject_pseudonym where subject = $1")
                .execute(Tuple.of(subject))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
    }

    static String fresh() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return PREFIX + HexFormat.of().formatHex(b);
    }
}
