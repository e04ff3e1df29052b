package org.consentrecorder.architecture.planted.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/** Allowed: the store layer talks to the SQL client. */
public final class PlantedStoreHelper {
    public static Future<Void> ping(Pool pool) {
        return pool.query("select 1").execute().mapEmpty();
    }
}
