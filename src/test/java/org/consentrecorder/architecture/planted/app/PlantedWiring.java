package org.consentrecorder.architecture.planted.app;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/** Allowed: the application wiring builds and closes the pool. */
public final class PlantedWiring {
    public static Future<Void> close(Pool pool) {
        return pool.close();
    }
}
