package org.consentrecorder.architecture.planted.admin;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import java.util.UUID;

/** A repository that runs its query as it should ({@link #find}), and two planted leaks: its rows and its pool. */
public final class PlantedCallRepository {
    private final Pool pool;

    public PlantedCallRepository(Pool pool) {
        this.pool = pool;
    }

    /** As it should be: a record. */
    public record Found(UUID id, String outcome) {
    }

    public Future<Optional<Found>> find(UUID id) {
        return pool.preparedQuery("select id, outcome from call where id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<Found>empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new Found(r.getUUID("id"), r.getString("outcome")));
                });
    }

    /** Planted: rows handed upward, inside a Future. */
    public Future<RowSet<Row>> rows() {
        return pool.query("select * from call").execute();
    }

    /** Planted: the pool handed out. */
    public Pool pool() {
        return pool;
    }
}
