package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** {@code audit_timestamp} (V29): the TSA's tokens over audit anchors. Insert and read only. */
public final class AuditAnchorRepository {
    private final Pool pool;

    public AuditAnchorRepository(Pool pool) {
        this.pool = pool;
    }

    /** A stored token and the anchor it stamps. */
    public record StoredTimestamp(long seq, byte[] hash, byte[] token, Instant tsaTime) {
    }

    /** Stores a token; a second token for the same head is not needed and is ignored. */
    public Future<Void> insert(StoredTimestamp t) {
        return pool.preparedQuery("insert into audit_timestamp (seq, hash, token, tsa_time) values ($1, $2, $3, $4) "
                        + "on conflict (seq) do nothing")
                .execute(Tuple.of(t.seq(), Buffer.buffer(t.hash()), Buffer.buffer(t.token()),
                        OffsetDateTime.ofInstant(t.tsaTime(), ZoneOffset.UTC)))
                .mapEmpty();
    }

    public Future<List<StoredTimestamp>> all() {
        return pool.query("select seq, hash, token, tsa_time from audit_timestamp order by seq").execute().map(rows -> {
            List<StoredTimestamp> out = new ArrayList<>();
            rows.forEach(r -> out.add(new StoredTimestamp(r.getLong("seq"), r.getBuffer("hash").getBytes(),
                    r.getBuffer("token").getBytes(), r.getOffsetDateTime("tsa_time").toInstant())));
            return out;
        });
    }
}
