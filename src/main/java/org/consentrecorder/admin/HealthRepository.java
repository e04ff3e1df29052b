package org.consentrecorder.admin;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/** The database half of readiness: does PostgreSQL answer a trivial query through the application's pool. */
public final class HealthRepository {
    private final Pool pool;

    public HealthRepository(Pool pool) {
        this.pool = pool;
    }

    /** Succeeds when the database answered. */
    public Future<Void> ping() {
        return pool.query("select 1").execute().mapEmpty();
    }
}
