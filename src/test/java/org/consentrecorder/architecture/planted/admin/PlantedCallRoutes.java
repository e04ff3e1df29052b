package org.consentrecorder.architecture.planted.admin;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/** A planted mistake: a route handler running its own query and reading the row itself. */
public final class PlantedCallRoutes {
    private final Pool pool;

    public PlantedCallRoutes(Pool pool) {
        this.pool = pool;
    }

    public Future<String> outcome(UUID callId) {
        return pool.preparedQuery("select outcome from call where id = $1").execute(Tuple.of(callId))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return r.getString("outcome");
                });
    }
}
